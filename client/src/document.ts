import { print, type DocumentNode } from 'graphql';

/** What goes on the wire for a document: its text (printed once) and its operation name. */
export interface WireOperation {
  query: string;
  operationName: string | undefined;
}

const printed = new WeakMap<DocumentNode, WireOperation>();

export function wireOperation(document: DocumentNode): WireOperation {
  let operation = printed.get(document);
  if (!operation) {
    const definition = document.definitions.find((d) => d.kind === 'OperationDefinition');
    operation = { query: print(document), operationName: definition?.name?.value };
    printed.set(document, operation);
  }
  return operation;
}
