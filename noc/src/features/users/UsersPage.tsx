import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Permitted, usePermissions } from '../../auth/permissions';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OpenFormButton, PageHeader } from '../../components/PageHeader';
import { hasRole } from '../../identity';
import { useLocation } from '../../router';
import { INSTITUTIONS_KEY, useInstitutions } from '../institutions/queries';
import { CreateUserForm } from './CreateUserForm';
import { readFilters } from './filters';
import { PendingFactorResets } from './PendingFactorResets';
import { FACTOR_RESETS_KEY, USERS_KEY } from './queries';
import { UnderAttack } from './UnderAttack';
import { UserList } from './UserList';

export function UsersPage() {
  const { search } = useLocation();
  const filters = readFilters(search);
  const { operator } = useSession();
  const { can } = usePermissions();
  const client = useQueryClient();
  const { institutions, error: institutionsError } = useInstitutions();
  const [creating, setCreating] = useState(false);
  const canCreate = can('POST /api/v1/users');
  // The alarm reads users the same way the list does, but it is a security officer's to act on.
  const canManage = can('POST /api/v1/users/{id}/unlock');

  const refresh = (): void => {
    for (const queryKey of [USERS_KEY, FACTOR_RESETS_KEY, INSTITUTIONS_KEY])
      void client.invalidateQueries({ queryKey });
  };

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Officials of the institutions, who use the handsets, and the NOC operators."
        onRefresh={refresh}
      >
        {canCreate ? (
          <OpenFormButton open={creating} onOpen={() => setCreating(true)}>
            Add a user
          </OpenFormButton>
        ) : null}
      </PageHeader>
      <Permitted operation="POST /api/v1/users" explain="Adding and changing users">
        {null}
      </Permitted>

      {institutionsError ? (
        <ErrorNotice error={institutionsError} title="Could not load the institutions" />
      ) : null}

      {canManage ? <UnderAttack /> : null}
      {can('GET /api/v1/factor-resets') ? <PendingFactorResets /> : null}

      {creating && canCreate ? (
        <CreateUserForm
          institutions={institutions}
          canCreateOperators={hasRole(operator, 'super-admin')}
          onClose={() => setCreating(false)}
        />
      ) : null}

      <UserList filters={filters} institutions={institutions} />
    </>
  );
}
