import type { Command } from 'commander';
import type { RunState } from '../../action.js';
import { decisionCommand } from './decide.js';

/** `kip approve APP --revision N [--comment TEXT]`. */
export function approveCommand(program: Command, state: RunState): Command {
  return decisionCommand(program, state, 'approve');
}
