import type * as z from 'zod';
import type { Deps } from './deps.ts';
import type { ApiResult, RouteHandler } from './http.ts';
import type { LogKeys } from './telemetry.ts';
import type { LinkClaims } from './links.ts';

/**
 * What a module declares about itself, in `modules/<name>/module.ts`: everything infra, the
 * permission table and the dependency rules need to know of it. The list of modules is
 * `modules/modules.ts`; adding a domain is its folder and one line there.
 */
export interface ModuleManifest<Permission extends string = string> {
  /** The folder's name. */
  name: string;
  /**
   * Its partitions of the single table, as IAM's `dynamodb:LeadingKeys` names them: an exact
   * partition key ("COUNTER") or a prefix and `*` ("ISSUE#*"). Functions declare which they use.
   */
  partitions?: Record<string, string>;
  /** Its partitions of the table's indexes (the index partition keys its lists query). */
  indexPartitions?: Record<string, string>;
  /**
   * Its HTTP routes: CDK creates each on API Gateway, the embedded server matches the same. The
   * handlers of the routes a function serves are `routes` in the module's `serve/<function>.ts`,
   * which that function loads on its first request (a bundle holds only what its function serves).
   */
  routes?: ModuleRoute<Permission>[];
  /**
   * The signed customer links it acts on (`/links/{token}`, served by `api`): the actions its
   * emails sign. What a link shows and does is `links` in its `serve/api.ts`.
   */
  linkActions?: readonly string[];
  /**
   * What its code needs of the table when it runs in another function (its route handlers in
   * `api`, say), by function: that function's declaration adds these to its own, so its IAM grant
   * and the embedded runtime's check cover the module's partitions.
   */
  tables?: Record<string, ModuleTableKeys>;
  /** Its recurring jobs (EventBridge Scheduler on AWS, the embedded scheduler locally). */
  schedules?: ModuleSchedule[];
  /**
   * Its state machines, by name: the definition is `modules/<name>/workflows/<workflow>.asl.json`;
   * each `${Placeholder}` in it is bound to a function folder.
   */
  workflows?: Record<string, ModuleWorkflow>;
}

/**
 * A state machine of its own definition, or a case loop (kernel/case-loop.ts): the one shape
 * `kernel/case-loop.asl.json`, whose turn is the function named.
 */
export type ModuleWorkflow =
  | { substitutions: Record<string, string> }
  | {
      caseLoop: {
        /** The function folder that takes each turn. */
        turn: string;
        /** Functions that runs of an earlier definition, still running, invoke (granted, though the definition names none). */
        earlier?: string[];
      };
    };

export interface ModuleRoute<Permission extends string = string> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The function folder (functions/<name>) that serves it. */
  function: string;
  /**
   * What a caller's roles must allow (modules/users/permissions.ts): the one table that decides
   * every route. `public`: anyone may call it, and it authenticates itself (a signed link, a
   * Stripe or monitoring signature or secret).
   */
  permission: Permission | 'public';
}

/** As a function declares table access (infra/aws/needs.ts `TableKeys`): partitions by action, index partitions by index. */
export interface ModuleTableKeys {
  read?: readonly string[];
  write?: readonly string[];
  delete?: readonly string[];
  indexes?: Record<string, readonly string[]>;
}

/** What `modules/<name>/serve/<function>.ts` gives the function that serves the module's routes. */
export interface Served {
  routes?: (deps: Deps) => Record<string, RouteHandler>;
  /**
   * The schemas its routes validate a request with, by route key: the body and the query string.
   * `npm run openapi` describes the API from them.
   */
  schemas?: Record<string, { body?: z.ZodType; query?: z.ZodType }>;
  /** `api` only: the pages and actions of the module's signed links. */
  links?: (deps: Deps) => LinkHandlers;
}

export interface LinkHandlers {
  /** The log keys of a link's id (its issue, its customer). */
  keys(claims: LinkClaims): LogKeys;
  page(claims: LinkClaims): Promise<ApiResult>;
  act(claims: LinkClaims, form: URLSearchParams, linkId: string): Promise<ApiResult>;
}

export interface ModuleSchedule {
  name: string;
  /** EventBridge Scheduler expression: cron(min hour day-of-month month day-of-week year) or rate(N unit). */
  expression: string;
  timezone: string;
  /** The function folder (functions/<name>) it invokes. */
  function: string;
  /** What the function receives, besides { source, schedule } (the schedule's name). */
  input?: Record<string, string>;
  description: string;
}

/** Types a module's manifest and keeps its literal partition names. */
export const defineModule = <const M extends ModuleManifest>(manifest: M): M => manifest;
