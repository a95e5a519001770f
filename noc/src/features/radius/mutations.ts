import { api, unwrap, type Schemas } from '../../api/client';
import { useApiMutation } from '../../data/hooks';
import { NAS_CLIENTS_KEY } from './queries';

/** Adds a NAS; the server generates its shared secret and returns it this once. */
export function useAddNas(onAdded: (created: Schemas['CreatedRadiusClient']) => void) {
  return useApiMutation({
    run: (body: Schemas['NewRadiusClient']) => unwrap(api.POST('/api/v1/radius/clients', { body })),
    invalidates: [NAS_CLIENTS_KEY],
    onSuccess: onAdded,
  });
}

/** Renames, re-addresses, disables or enables one NAS. */
export function useChangeNas(id: string) {
  return useApiMutation({
    run: (body: Schemas['RadiusClientChange']) =>
      unwrap(api.PATCH('/api/v1/radius/clients/{id}', { params: { path: { id } }, body })),
    invalidates: [NAS_CLIENTS_KEY],
  });
}

/** A new shared secret for one NAS: the old one stops working at once, so it is shown to set on the NAS. */
export function useRotateNasSecret(id: string) {
  return useApiMutation({
    run: () => unwrap(api.POST('/api/v1/radius/clients/{id}/secret', { params: { path: { id } }, body: {} })),
    invalidates: [NAS_CLIENTS_KEY],
  });
}
