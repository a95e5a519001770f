import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery, useApiMutation } from '../../data/hooks';

export type ChatPolicy = Schemas['ChatPolicy'];
export type ChatPolicyChange = Schemas['PutChatPolicyRequest'];
export const CROSS_MODES: readonly { value: ChatPolicy['crossInstitution']; label: string }[] = [
  { value: 'directory', label: 'Whom the directory shows' },
  { value: 'own-institution', label: 'Own institution only' },
  { value: 'allow-list', label: 'Listed institutions only' },
];

export const CHAT_POLICIES_KEY = ['chat-policies'] as const;

export const chatQueries = {
  policies: () =>
    apiQuery(CHAT_POLICIES_KEY, (signal) => unwrap(api.GET('/api/v1/chat/policies', { signal }))),
};

/** The writes of the chat policy panel (national chat-admins); each refetches the list. */
export function useChatPolicyWrites() {
  const path = (institutionId: string) => ({ params: { path: { institutionId } } });
  const invalidates = [CHAT_POLICIES_KEY];
  return {
    put: useApiMutation({
      run: ({ institutionId, body }: { institutionId: string; body: ChatPolicyChange }) =>
        unwrap(api.PUT('/api/v1/chat/policies/{institutionId}', { ...path(institutionId), body })),
      invalidates,
    }),
    hold: useApiMutation({
      run: ({ institutionId, reason }: { institutionId: string; reason: string }) =>
        unwrap(
          api.PUT('/api/v1/chat/policies/{institutionId}/hold', { ...path(institutionId), body: { reason } }),
        ),
      invalidates,
    }),
    release: useApiMutation({
      run: (institutionId: string) =>
        unwrap(api.DELETE('/api/v1/chat/policies/{institutionId}/hold', path(institutionId))),
      invalidates,
    }),
  };
}
