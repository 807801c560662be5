import { runWorkerService } from "@langguard/service-runtime";
import { loadPolicyEvaluationEnv } from "./env.ts";
import { registerPolicyEvaluationWorker } from "./registration.ts";

const env = loadPolicyEvaluationEnv();
runWorkerService("policy-evaluation", env, registerPolicyEvaluationWorker, { concurrency: env.POLICY_EVALUATION_CONCURRENCY });
