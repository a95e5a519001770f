// Public face of the app-store domain: the only module other packages may import.
export { appStoreDomain } from './app-store.domain.js';
export { AppStoreModule } from './app-store.module.js';
