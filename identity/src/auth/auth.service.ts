import { Inject, Injectable } from '@nestjs/common';
import { AuditService, LOGGER, isRole, type Logger, type Principal } from '@pakawaaz/platform';
import { identityError } from '../identity.errors.js';
import { OperatorsRepository } from '../operators/operators.repository.js';
import { verifyPassword } from '../passwords/password-hasher.js';
import { TokenService } from '../tokens/token.service.js';

export type OperatorProfile = {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  institutionId: string | null;
  amr: string[];
  acr: string | null;
};

export type LoginResult = {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  operator: OperatorProfile;
};

/** Password sign-in for NOC operators (aal1). TOTP, passkeys, lock-out and refresh tokens arrive with identity MFA. */
@Injectable()
export class AuthService {
  constructor(
    private readonly operators: OperatorsRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async login(username: string, password: string, requestId: string): Promise<LoginResult> {
    const op = await this.operators.findByUsername(username);
    const ok = await verifyPassword(op?.passwordHash, password);
    if (!op || !ok || op.status !== 'active') {
      this.logger.warn({ requestId, username }, 'operator sign-in failed');
      throw identityError('invalid_credentials', 'Wrong username or password.');
    }
    const roles = op.roles.filter(isRole);
    const { accessToken, expiresIn } = await this.tokens.issueAccessToken({
      sub: op.id,
      typ: 'operator',
      name: op.username,
      inst: op.institutionId,
      roles,
      amr: ['pwd'],
      acr: 'aal1',
    });
    await this.operators.touchLogin(op.id, new Date());
    await this.audit.record({
      actor: { type: 'operator', id: op.id },
      action: 'identity.operator.signed-in',
      target: `operator:${op.username}`,
      details: { amr: ['pwd'] },
      requestId,
    });
    const operator = {
      id: op.id,
      username: op.username,
      displayName: op.displayName,
      roles,
      institutionId: op.institutionId,
      amr: ['pwd'],
      acr: 'aal1',
    };
    return { accessToken, tokenType: 'Bearer', expiresIn, operator };
  }

  async me(principal: Principal): Promise<OperatorProfile> {
    const op =
      principal.actor.type === 'operator' ? await this.operators.findById(principal.actor.id) : undefined;
    return {
      id: principal.actor.id,
      username: op?.username ?? principal.name,
      displayName: op?.displayName ?? principal.name,
      roles: [...principal.roles],
      institutionId: principal.institutionId,
      amr: [...principal.amr],
      acr: principal.acr,
    };
  }
}
