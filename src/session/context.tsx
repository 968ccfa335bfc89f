/** The page's engine session for the panels: provided once at the root (src/main.tsx), read with useSession(). */
import { createContext, useContext } from 'react';
import type { Session } from './session';

export const SessionContext = createContext<Session | null>(null);

/** The commands of the engine session (train, upload, download, reproduce, copy a link...). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a SessionContext provider above it (src/main.tsx gives the page one).');
  return session;
}
