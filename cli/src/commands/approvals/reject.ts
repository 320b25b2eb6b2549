import type { Command } from 'commander';
import type { RunState } from '../../action.js';
import { decisionCommand } from './decide.js';

/** `kip reject APP --revision N [--comment TEXT]`. */
export function rejectCommand(program: Command, state: RunState): Command {
  return decisionCommand(program, state, 'reject');
}
