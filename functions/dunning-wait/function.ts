import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: { store: table('read-write'), workflows: workflows({ signal: ['invoice-dunning'] }) },
});
