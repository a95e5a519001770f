import { useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { session } from '../../auth/session';
import { useApiMutation } from '../../data/hooks';
import { DEVICES_OPERATION, homeFor } from '../../identity';
import { inApi } from '../../auth/permissions';
import { navigate, safeInternalPath, useLocation } from '../../router';
import { codeMethods, PASSWORD_STEP, type Authenticated, type LoginStep, type Step } from './steps';

/**
 * The sign-in as a small state machine: each server answer names the next step. Every call goes through
 * one mutation, so there is one pending flag and one error for the card.
 */
export function useSignIn() {
  const { search } = useLocation();
  const [step, setStep] = useState<Step>(PASSWORD_STEP);

  const finish = async (result: Authenticated): Promise<void> => {
    const profile = await unwrap(
      api.GET('/api/v1/auth/me', { headers: { Authorization: `Bearer ${result.accessToken}` } }),
    );
    session.signIn(result, profile);
    navigate(safeInternalPath(search.get('next'), homeFor(profile, inApi(DEVICES_OPERATION))), {
      replace: true,
    });
  };

  const proceed = async (result: LoginStep): Promise<void> => {
    switch (result.status) {
      case 'authenticated':
        if (result.recoveryCodes?.length) {
          setStep({ kind: 'recovery-codes', result, codes: result.recoveryCodes });
          return;
        }
        return finish(result);
      case 'mfa_required': {
        const methods = codeMethods(result.factors);
        const first = methods[0];
        if (!first)
          throw new ApiError(
            0,
            'factor_not_offered',
            'This account signs in with its SIM or device, which the NOC does not offer. Use an operator account.',
            null,
          );
        setStep({ kind: 'code', ticket: result.ticket, methods, method: first });
        return;
      }
      case 'password_change_required':
        setStep({ kind: 'new-password', ticket: result.ticket });
        return;
      case 'totp_enrolment_required':
        setStep({ kind: 'enrol', ticket: result.ticket, enrolment: result.enrolment });
        return;
    }
  };

  const call = useApiMutation({
    run: async (request: () => Promise<LoginStep>) => proceed(await request()),
  });

  /** Runs one step; a refused or expired ticket sends the operator back to the password. */
  const run = async (request: () => Promise<LoginStep>, onError?: () => void): Promise<void> => {
    if (call.pending) return;
    session.clearNotice();
    try {
      await call.run(request);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'login_ticket_invalid') setStep(PASSWORD_STEP);
      onError?.();
    }
  };

  return {
    step,
    submitting: call.pending,
    error: call.error,
    run,
    finish,
    /** Another second factor (TOTP or a recovery code) for the same ticket. */
    switchMethod: (next: Step) => {
      setStep(next);
      call.reset();
    },
    startOver: () => {
      setStep(PASSWORD_STEP);
      call.reset();
    },
  };
}
