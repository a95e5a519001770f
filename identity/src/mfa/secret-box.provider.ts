export const SECRET_BOX = Symbol.for('pakawaaz.identity.SecretBox');
