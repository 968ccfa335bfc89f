import { startPage } from './app/controller';
import { registerOffline } from './app/offline';
import './app/styles.css';
import './app/responsive.css';

// The session first: it starts the engine worker, which loads TF.js on its own thread while the page's own code
// (the React tree, src/app/root.tsx, its own chunk) is fetched, parsed and rendered here.
const { session } = startPage();
registerOffline();
void import('./app/root').then(({ renderApp }) => renderApp(document.getElementById('root')!, session));
