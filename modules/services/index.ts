/** Services: what each customer has and which alerts are about it. The public entry of the module. */
export { servicesMatching, type ServiceView } from './service.ts';
export { ServiceRepository } from './service-repository.ts';
