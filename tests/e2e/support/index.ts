// Everything a spec needs: `import { test, expect, scanAxe, screenshot, adminTickets } from './support';`
export { test, expect, PageProblems, type PageProblem } from './fixtures';
export { scanAxe, type AxeOptions } from './axe';
export { screenshot, ARTIFACTS_DIR } from './artifacts';
export { adminTickets, adminTicketCount, type StoredTicket, type StoredTickets } from './admin';
export { baseUrl, adminToken, DEMO_PAGE } from './env';
export { widgetHost, launcher, dialog, heading, answerToForm } from './widget';
