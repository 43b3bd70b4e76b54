// The training panel's status line, progress bar and run buttons, which data loading, training and
// the page's error reports write to. Not for: the messages' wording (callers write it).
import { $ } from './dom.js';

export function status(text: string): void {
  $('status').textContent = text;
}

export function progress(fraction: number): void {
  $<HTMLProgressElement>('progress').value = fraction;
}

export function setRunning(running: boolean, stopped = false): void {
  $<HTMLButtonElement>('train').disabled = running;
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('resume').disabled = running || !stopped;
}

/** Reports an error of the page on the status line; a run it ended cannot be resumed. */
export function fail(e: unknown): void {
  setRunning(false);
  status(`Error: ${(e as Error)?.message ?? e}`);
}
