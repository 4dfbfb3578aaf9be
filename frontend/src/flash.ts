// Messages carried from one screen to the next (e.g. import warnings shown on the new experiment's page).
import type { Inference } from "./api/types";

export interface Flash {
  experiment: string;
  warnings: string[];
  notes?: string[];
  inferences?: Inference[];
  message?: string;
}

let pending: Flash | null = null;

export function setFlash(flash: Flash): void {
  pending = flash;
}

/** The flash meant for `experiment` (it stays until `clearFlash`, so a re-render reads the same one). */
export function readFlash(experiment: string): Flash | null {
  return pending && pending.experiment === experiment ? pending : null;
}

export function clearFlash(experiment: string): void {
  if (pending && pending.experiment === experiment) pending = null;
}
