/** The customer view: one customer with its history across issues, money and email. The public entry of the module. */
export { customerView, HISTORY_IN_VIEW } from './customer-view.ts';
