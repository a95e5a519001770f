import { Injectable } from '@nestjs/common';
import { requireRole, type Principal, type Role } from '@pakawaaz/platform';
import { InstitutionsService } from '../directory/institutions.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Ctx } from './access.js';
import type { UserKind } from './users.repository.js';
import { UsersService, type UserView } from './users.service.js';

type Create = {
  kind: UserKind;
  username: string;
  displayName: string;
  password: string;
  designation?: string | null | undefined;
  institution?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  roles?: Role[] | undefined;
  mustChangePassword?: boolean | undefined;
};
type Update = Partial<Omit<Create, 'kind' | 'username' | 'password' | 'mustChangePassword'>>;
type Query = {
  search?: string | undefined;
  kind?: UserKind | undefined;
  status?: 'active' | 'disabled' | undefined;
  institution?: string | undefined;
  passwordClosed?: boolean | undefined;
  limit: number;
  offset: number;
};

/** The users API: resolves institution names, then hands over to UsersService and SessionsService. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly institutions: InstitutionsService,
    private readonly sessionsService: SessionsService,
  ) {}

  async list(q: Query, principal: Principal) {
    const { institution, ...rest } = q;
    const { users, total } = await this.users.list(
      { ...rest, institutionId: institution },
      { principal, requestId: null },
    );
    return { users, total, limit: q.limit, offset: q.offset };
  }

  get(id: string, principal: Principal): Promise<UserView> {
    return this.users.get(id, { principal, requestId: null });
  }

  async create(b: Create, ctx: Ctx): Promise<UserView> {
    const { institution, ...rest } = b;
    return this.users.create({ ...rest, institutionId: await this.institutionId(institution) }, ctx);
  }

  async update(id: string, b: Update, ctx: Ctx): Promise<UserView> {
    const { institution, ...rest } = b;
    const institutionId = institution === undefined ? undefined : await this.institutionId(institution);
    return this.users.update(id, { ...rest, ...(institutionId === undefined ? {} : { institutionId }) }, ctx);
  }

  setStatus(id: string, status: 'active' | 'disabled', reason: string | null, ctx: Ctx) {
    return this.users.setStatus(id, status, reason, ctx);
  }

  resetPassword(id: string, password: string | undefined, ctx: Ctx) {
    return this.users.resetPassword(id, password, ctx);
  }

  unlock(id: string, ctx: Ctx) {
    return this.users.unlock(id, ctx);
  }

  async sessions(id: string, ctx: Ctx) {
    const user = await this.users.find(id, ctx);
    return { sessions: await this.sessionsService.list(ctx, user.id) };
  }

  async revokeSessions(id: string, ctx: Ctx) {
    requireRole(ctx.principal, 'security-officer');
    const user = await this.users.find(id, ctx);
    return {
      revoked: await this.sessionsService.revokeAllOf(
        user.id,
        'revoked-by-administrator',
        ctx.principal.actor,
        ctx.requestId,
      ),
    };
  }

  private async institutionId(nameOrId: string | null | undefined): Promise<string | null> {
    return nameOrId ? (await this.institutions.resolve(nameOrId)).id : null;
  }
}
