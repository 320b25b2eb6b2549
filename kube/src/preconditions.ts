/**
 * Deletes only the object read a moment ago (uid precondition): a same-named object created in
 * between, by someone else, is not touched.
 */
export const deleteOptions = (uid: string | undefined) => (uid ? { preconditions: { uid } } : undefined);
