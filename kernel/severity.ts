export const severities = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof severities)[number];
