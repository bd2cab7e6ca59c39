import { defineModule } from '../../kernel/module.ts';

/** Receivables: invoices, payments, disputes, promises, the dunning ladder and AR KPIs. */
export default defineModule({
  name: 'receivables',
  partitions: {
    /** Where an invoice id is filed (its customer). */
    invoice: 'INVOICE#*',
    /** An invoice import job. */
    importJob: 'IMPORT#*',
  },
  indexPartitions: {
    /** gsi2: dunning cycles due, by shard. */
    dunningDue: 'DUNNING#*',
    /** gsi3: invoices by status. */
    invoicesByStatus: 'INVOICES#*',
  },
  routes: [
    // Invoices, payments, CSV import, dunning answers, AR KPIs, Stripe invoice webhooks.
    { method: 'POST', path: '/invoices', function: 'invoices', permission: 'invoices:write' },
    { method: 'GET', path: '/invoices', function: 'invoices', permission: 'invoices:read' },
    { method: 'GET', path: '/invoices/{id}', function: 'invoices', permission: 'invoices:read' },
    { method: 'POST', path: '/invoices/{id}/events', function: 'invoices', permission: 'invoices:write' },
    { method: 'POST', path: '/invoices/import', function: 'invoices', permission: 'invoices:write' },
    { method: 'GET', path: '/invoices/imports/{id}', function: 'invoices', permission: 'invoices:read' },
    { method: 'POST', path: '/payments', function: 'invoices', permission: 'invoices:write' },
    { method: 'POST', path: '/customers/{id}/dunning/events', function: 'invoices', permission: 'suspensions:decide' },
    { method: 'GET', path: '/customers/{id}/dunning', function: 'invoices', permission: 'dunning:read' },
    { method: 'GET', path: '/dunning/approvals', function: 'invoices', permission: 'dunning:read' },
    { method: 'GET', path: '/dunning/worklist', function: 'invoices', permission: 'dunning:read' },
    { method: 'GET', path: '/kpis/ar', function: 'invoices', permission: 'ar-kpis:read' },
    { method: 'POST', path: '/webhooks/stripe', function: 'invoices', permission: 'public' },
  ],
  linkActions: ['promise', 'dispute-invoice', 'approve-suspension', 'decline-suspension'],
  schedules: [
    {
      // Daily: a dunning cycle acts once a day at most, and the dunning run restarts every cycle it finds due.
      name: 'reconcile-dunning',
      expression: 'cron(37 3 * * ? *)',
      timezone: 'UTC',
      function: 'reconcile',
      input: { sweep: 'dunning' },
      description: 'Every customer in a dunning cycle keeps a live execution, as reconcile-workflows does for issues',
    },
    {
      // Hourly, because 09:00 local comes at a different UTC hour for each customer's time zone.
      name: 'dunning-run',
      expression: 'cron(0 * * * ? *)',
      timezone: 'UTC',
      function: 'dunning-run',
      description: 'Wakes or starts the dunning workflow of every customer whose next dunning step is due (sparse, sharded index)',
    },
  ],
  workflows: {
    // dunning-wait: the wait state of runs started before the case loop, which hand over at their next wake.
    'invoice-dunning': { caseLoop: { turn: 'dunning-step', earlier: ['dunning-wait'] } },
    'invoice-import': { substitutions: { InvoiceImportFunctionArn: 'invoice-import' } },
  },
});
