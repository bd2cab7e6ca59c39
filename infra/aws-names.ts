/**
 * Names and ARNs of Steward's AWS resources, in AWS's own formats: CDK and the embedded runtime
 * both build them here, so a function's environment and its IAM policy name the same thing in both
 * columns.
 */
export interface AwsPlace {
  partition: string;
  region: string;
  account: string;
}

/** Where the embedded runtime pretends to be: any SDK or the AWS CLI pointed at its endpoints accepts it. */
export const LOCAL_PLACE: AwsPlace = { partition: 'aws', region: 'us-east-1', account: '000000000000' };

/** Every physical name of a deployment starts so: "steward-" for the unnamed stage, "steward-<stage>-" for a named one. */
export const namePrefix = (stage?: string) => (stage ? `steward-${stage}-` : 'steward-');

/** The SES receipt rule set (Steward's own, or one it joins with `-c receiptRuleSet=`) and the rule that stores inbound mail. */
export const receiptRuleNames = (prefix: string, joined?: string) => ({ ruleSet: joined ?? `${prefix}inbound`, rule: `${prefix}ingest` });

/** Stage names: short, lower-case, usable inside every AWS resource name. */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export const stateMachineName = (workflow: string, prefix = namePrefix()) => `${prefix}${workflow}`;

/** The workflow a state machine name belongs to, or undefined when it is not one of Steward's. */
export const workflowOfStateMachine = (name: string) => (name.startsWith('steward-') ? name.slice('steward-'.length) : undefined);

export const stateMachineArn = (place: AwsPlace, workflow: string) =>
  `arn:${place.partition}:states:${place.region}:${place.account}:stateMachine:${stateMachineName(workflow)}`;

export const executionArn = (place: AwsPlace, workflow: string, name: string) =>
  `arn:${place.partition}:states:${place.region}:${place.account}:execution:${stateMachineName(workflow)}:${name}`;

export const functionArn = (place: AwsPlace, functionName: string) =>
  `arn:${place.partition}:lambda:${place.region}:${place.account}:function:${functionName}`;

const ARN_HEAD = 'arn:aws[a-z-]*:states:[a-z]{2}(?:-[a-z]+)+-\\d:\\d{12}';
/** AWS's rule for state machine and execution names: 1-80 characters, none of whitespace, wildcards, brackets or controls. */
const NAME = '[^\\s<>{}\\[\\]?*"#%\\\\^|~`$&,;:/\\u0000-\\u001f\\u007f-\\u009f]{1,80}';
const STATE_MACHINE_ARN = new RegExp(`^${ARN_HEAD}:stateMachine:(${NAME})$`, 'u');
const EXECUTION_ARN = new RegExp(`^${ARN_HEAD}:execution:(${NAME}):(${NAME})$`, 'u');
const NAME_ONLY = new RegExp(`^${NAME}$`, 'u');

export const parseStateMachineArn = (arn: string) => {
  const match = STATE_MACHINE_ARN.exec(arn);
  return match ? { stateMachineName: match[1] } : undefined;
};

export const parseExecutionArn = (arn: string) => {
  const match = EXECUTION_ARN.exec(arn);
  return match ? { stateMachineName: match[1], name: match[2] } : undefined;
};

export const isValidExecutionName = (name: string) => NAME_ONLY.test(name);

/** The schedule group of the case loops' one-time timers (kernel/timer-port.ts). */
export const timerGroupName = (prefix = namePrefix()) => `${prefix}timers`;
