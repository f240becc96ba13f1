/**
 * Atomic replacement of `dist/<env>/k8s/`: everything is synthesized and checked in a staging
 * directory inside the output root (same filesystem, so `rename` is atomic), and only when every env
 * passed are the old directories swapped out. A failed synth leaves `dist/` exactly as it was.
 */
import * as fs from 'fs';
import * as path from 'path';

export class StagingArea {
  /** `<outRoot>/.synth-staging-<pid>-<time>`. */
  public readonly dir: string;
  private readonly targets = new Map<string, string>();
  private readonly onCommit: (() => void)[] = [];
  /** The output root did not exist before: a discard leaves no empty folder behind. */
  private readonly createdRoot: boolean;

  public constructor(public readonly outRoot: string) {
    this.createdRoot = !fs.existsSync(outRoot);
    fs.mkdirSync(outRoot, { recursive: true });
    this.dir = fs.mkdtempSync(path.join(outRoot, `.synth-staging-${process.pid}-`));
  }

  /** A staging directory whose content will replace `<outRoot>/<relativeTarget>` on commit. */
  public stage(relativeTarget: string): string {
    const staged = path.join(this.dir, relativeTarget);
    this.targets.set(staged, path.join(this.outRoot, relativeTarget));
    return staged;
  }

  /** Runs `write` after a successful commit, never on discard (e.g. a record of what was synthesized). */
  public afterCommit(write: () => void): void {
    this.onCommit.push(write);
  }

  /** Swaps every staged directory into place, then removes the previous content. */
  public commit(): string[] {
    const trash = path.join(this.dir, '.previous');
    fs.mkdirSync(trash, { recursive: true });
    const committed: string[] = [];
    let n = 0;
    for (const [staged, target] of this.targets) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (fs.existsSync(target)) fs.renameSync(target, path.join(trash, String(n++)));
      fs.renameSync(staged, target);
      committed.push(target);
    }
    this.discard();
    for (const write of this.onCommit) write();
    return committed;
  }

  /** Removes the staging directory and anything left in it. */
  public discard(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.createdRoot && fs.existsSync(this.outRoot) && fs.readdirSync(this.outRoot).length === 0) fs.rmdirSync(this.outRoot);
  }
}
