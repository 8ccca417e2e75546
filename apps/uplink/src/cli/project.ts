/** Opening the project of the access a command runs with, and always closing it (its gRPC channels). */
import type { Command } from 'commander';
import { Project } from '../index.js';
import { openAccess, type ResolvedAccess } from './access-source.js';

export async function withProject<T>(cmd: Command, fn: (project: Project, access: ResolvedAccess) => Promise<T>): Promise<T> {
  const access = openAccess(cmd);
  const project = await Project.open(access.grant);
  try {
    return await fn(project, access);
  } finally {
    await project.close();
  }
}
