import { UsageError } from './errors.js';

/** `KEY=VALUE` (the value may contain `=` and be empty). */
export function parseEnvAssignment(value: string): { name: string; value: string } {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`"${value}" is not KEY=VALUE.`);
  return { name: value.slice(0, eq), value: value.slice(eq + 1) };
}
