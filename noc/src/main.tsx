import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { keepSessionFresh } from './auth/refresh';
import { QueryProvider } from './data/QueryProvider';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

keepSessionFresh();

createRoot(container).render(
  <StrictMode>
    <QueryProvider>
      <App />
    </QueryProvider>
  </StrictMode>,
);
