import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './app/App';
import { startPage } from './app/controller';
import { registerOffline } from './app/offline';
import { SessionContext } from './session/context';
import './app/styles.css';
import './app/responsive.css';

const { session } = startPage();
registerOffline();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionContext value={session}>
      <App />
    </SessionContext>
  </StrictMode>,
);
