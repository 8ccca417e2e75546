/**
 * Open uplink Projects, one per access grant, shared by the requests that use it (each holds a
 * satellite connection and node connections). Idle ones beyond `max` are closed, least recently used first.
 *
 * All of them share one TransferResources, made and closed by the pool: one segment thread for the
 * process (a thread per grant would only fight over the cores) and one bound on the memory kept for
 * reuse, however many grants are in use.
 */
import { Project, TransferResources, type ProjectOptions } from '@dcsim/uplink';

interface Entry {
  project: Promise<Project>;
  users: number;
  lastUsed: number;
}

export interface ProjectLease {
  project: Project;
  release(): void;
}

export class ProjectPool {
  private readonly entries = new Map<string, Entry>();
  private readonly options: ProjectOptions;
  private readonly resources = new TransferResources();

  constructor(
    options: Omit<ProjectOptions, 'resources'> = {},
    private readonly max = 32,
  ) {
    this.options = { ...options, resources: this.resources };
  }

  async acquire(access: string): Promise<ProjectLease> {
    let entry = this.entries.get(access);
    if (!entry) {
      entry = { project: Project.open(access, this.options), users: 0, lastUsed: 0 };
      this.entries.set(access, entry);
      entry.project.catch(() => this.entries.delete(access)); // a grant that does not parse is not kept
    }
    entry.users++;
    entry.lastUsed = Date.now();
    const current = entry;
    try {
      const project = await current.project;
      let released = false;
      return {
        project,
        release: () => {
          if (released) return;
          released = true;
          current.users--;
          this.evict();
        },
      };
    } catch (err) {
      current.users--;
      throw err;
    }
  }

  private evict(): void {
    if (this.entries.size <= this.max) return;
    const idle = [...this.entries].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [access, entry] of idle.slice(0, this.entries.size - this.max)) {
      this.entries.delete(access);
      void entry.project.then((p) => p.close()).catch(() => {});
    }
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((e) => e.project.then((p) => p.close())));
    await this.resources.close();
  }
}
