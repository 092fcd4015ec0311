import path from 'node:path';
import { ROLES } from '../../functions/shared/roles.ts';
import { LOCAL_ENV_VARS, readLocalConfig } from './config.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';

/**
 * `npm start`: the whole system on this machine (see runtime.ts), configured by environment variables
 * (config.ts). Prints where everything is, how to get a token for each role, and finally
 * `READY <url>` (scripts and the e2e tests wait for that line). Ctrl-C or SIGTERM stops it cleanly
 * (exit 0); a second Ctrl-C forces the exit.
 */

/** A well-formed Zhongshan enterprise (check character J is right for 91442000MA4UQ9YX2). */
const EXAMPLE_ORGANISATION = JSON.stringify({
  name: '中山示例科技有限公司',
  uscc: '91442000MA4UQ9YX2J',
  registeredCapitalCny: 60_000_000,
  address: '广东省中山市东区中山四路1号',
  legalRepresentative: '张三',
  contact: { name: '李四', phone: '0760-88880000', email: 'li@example.com' },
});

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function banner(rt: LocalRuntime): void {
  const rel = (p: string): string => {
    const relative = path.relative(process.cwd(), p);
    return relative.startsWith('..') || path.isAbsolute(relative) ? p : relative || '.';
  };
  const data = rel(rt.dataDir);
  const curlToken = (sub: string, role: string): string =>
    `curl -s -X POST ${rt.url}/dev/token -H 'content-type: application/json' -d '{"sub":"${sub}","groups":["${role}"],"email":"${sub}@example.com"}'`;
  out('Zhongshan AI Enablement Platform — local runtime (stage: local)');
  out(`  API            ${rt.url}   (OpenAPI: ${rt.url}/openapi.json, health: ${rt.url}/health)`);
  out(
    `  Consoles       ${rt.url}/console/   (public portal, applicant portal, staff console; sign in with a role)`,
  );
  out(`  Data           ${rt.dataDir}`);
  out(`                   ${data}/dynamodb  DynamoDB Local ${rt.dynamoEndpoint}, table ${rt.tableName}`);
  out(`                   ${data}/s3        s3rver ${rt.s3Endpoint}, bucket ${rt.evidenceBucket}`);
  out(`                   ${data}/issuer    signing key of the local token issuer`);
  out(
    `  Workflows      ${rt.engine.workflowNames.join(', ')}; resumed ${rt.resumed.resumed} execution(s), ${rt.resumed.waiting} waiting for a person`,
  );
  out(
    `  Scheduler      ${rt.scheduler.jobNames.join(', ')} ${rt.deadlineJobEverySeconds ? `every ${rt.deadlineJobEverySeconds} s` : 'at start and on demand only'}; run now: curl -s -X POST ${rt.url}/dev/jobs/deadlines/run`,
  );
  out(
    `  Clock          curl -s -X POST ${rt.url}/dev/clock -H 'content-type: application/json' -d '{"now":"2026-06-01T09:00:00+08:00"}'   (DELETE /dev/clock: real time)`,
  );
  out();
  out(
    `Tokens: local issuer ${rt.issuer.issuer}, audience ${rt.issuer.audience}, JWKS ${rt.url}/.well-known/jwks.json`,
  );
  for (const role of ROLES) out(`  ${role.padEnd(10)} ${curlToken(`${role}-1`, role)}`);
  out();
  out('Example: an applicant registers its organisation (Art. 3; the USCC is checked, GB 32100-2015):');
  out(
    `  TOKEN=$(${curlToken('applicant-1', 'applicant')} | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')`,
  );
  out(
    `  curl -s -X POST ${rt.url}/v1/organisations -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${EXAMPLE_ORGANISATION}'`,
  );
  out();
  out(`Settings: ${LOCAL_ENV_VARS.join(', ')}. Ctrl-C stops everything; the data stays in ${data}.`);
  out(`READY ${rt.url}`);
}

async function main(): Promise<void> {
  let runtime: LocalRuntime | undefined;
  let shuttingDown = false;
  let starting: Promise<LocalRuntime> | undefined;

  let firstSignalAt = 0;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) {
      // A Ctrl-C reaches this process twice (from the terminal and relayed by tsx): only a deliberate
      // second one, a moment later, forces the exit.
      if (Date.now() - firstSignalAt < 1_000) return;
      process.stderr.write(`${signal} again: exiting now.\n`);
      process.exit(1);
    }
    shuttingDown = true;
    firstSignalAt = Date.now();
    out(`\n${signal}: stopping — finishing requests in flight, then the scheduler, workflows and services…`);
    try {
      runtime ??= await starting?.catch(() => undefined);
      await runtime?.stop();
      out(`Stopped. Data kept in ${runtime?.dataDir ?? 'the data folder'}.`);
      process.exit(0);
    } catch (e) {
      process.stderr.write(`Stopping failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // If the launcher (npm, tsx) is killed hard, this process is re-parented: stop too, instead of
  // living on, with DynamoDB Local, as orphans that hold the ports.
  const launcher = process.ppid;
  if (launcher > 1) {
    setInterval(() => {
      if (process.ppid !== launcher) void shutdown('launcher gone');
    }, 1_000).unref();
  }

  try {
    const config = readLocalConfig();
    out(`Starting the local runtime (data in ${config.dataDir})…`);
    starting = startLocalRuntime(config);
    runtime = await starting;
  } catch (e) {
    process.stderr.write(`\nCannot start the local runtime: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (!shuttingDown) banner(runtime);
}

await main();
