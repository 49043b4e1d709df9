// mongosh script of the one-shot `mongo-init` container (docker-compose.yml), run as
//   mongosh --nodb --quiet --file init-replica-set.js
// 1. initiates the one-member replica set MONGO_REPLICA_SET with member MONGO_HOST, unless done;
// 2. waits until that member is primary;
// 3. for each service in SAUSAT_SERVICES, creates user <service> in database <service> with
//    role readWrite on that database only, password MONGO_<SERVICE>_PASSWORD; an existing user
//    gets the password and roles again (so changing the variable rotates the password).
// Every step is idempotent: running it again changes nothing, and it exits 0.
// Authenticates as the root user (MONGO_ROOT_USER / MONGO_ROOT_PASSWORD) that the mongo image
// creates on its first start.

const env = process.env;
const host = env.MONGO_HOST || "mongo:27017";
const replicaSet = env.MONGO_REPLICA_SET || "rs0";
const services = (env.SAUSAT_SERVICES || "").split(/\s+/).filter(Boolean);
const WAIT_MS = Number(env.MONGO_INIT_WAIT_SECONDS || 180) * 1000;

function log(message) {
  print(`mongo-init: ${message}`);
}

function fail(message) {
  log(`FAILED: ${message}`);
  quit(1);
}

// A command's answer; an error answer (thrown or returned) becomes {ok: 0, code, codeName, errmsg}.
function command(database, spec) {
  try {
    return database.runCommand(spec);
  } catch (error) {
    return { ok: 0, code: error.code, codeName: error.codeName, errmsg: error.message };
  }
}

function connectAsRoot() {
  const user = env.MONGO_ROOT_USER;
  const password = env.MONGO_ROOT_PASSWORD;
  if (!user || !password) fail("MONGO_ROOT_USER and MONGO_ROOT_PASSWORD must be set");
  const uri = `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}` +
    "/admin?authSource=admin&directConnection=true&serverSelectionTimeoutMS=5000";
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let problem;
    try {
      const admin = connect(uri);
      const answer = command(admin, { ping: 1 });
      if (answer.ok) return admin;
      problem = answer.errmsg;
    } catch (error) {
      problem = error.message;
    }
    if (/auth/i.test(problem || "")) fail(`cannot log in as ${user}: ${problem}`);
    if (Date.now() > deadline) fail(`no answer from ${host}: ${problem}`);
    log(`waiting for ${host} (${problem})`);
    sleep(2000);
  }
}

function ensureReplicaSet(admin) {
  const status = command(admin, { replSetGetStatus: 1 });
  if (status.ok) {
    log(`replica set ${status.set} already initiated`);
    return;
  }
  if (status.code !== 94 /* NotYetInitialized */) {
    fail(`replSetGetStatus: ${status.errmsg}`);
  }
  const answer = command(admin, {
    replSetInitiate: { _id: replicaSet, members: [{ _id: 0, host: host }] },
  });
  if (!answer.ok && answer.code !== 23 /* AlreadyInitialized */) {
    fail(`replSetInitiate: ${answer.errmsg}`);
  }
  log(`replica set ${replicaSet} initiated with member ${host}`);
}

function waitForPrimary(admin) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const hello = command(admin, { hello: 1 });
    if (hello.isWritablePrimary) return;
    if (Date.now() > deadline) fail(`${host} did not become primary: ${JSON.stringify(hello)}`);
    sleep(1000);
  }
}

// [service, password] for every service, or exit before anything is changed
function servicePasswords() {
  if (services.length === 0) fail("SAUSAT_SERVICES names no service");
  return services.map((service) => {
    if (!/^[a-z][a-z0-9_]*$/.test(service)) fail(`bad service name ${service}`);
    const variable = `MONGO_${service.toUpperCase()}_PASSWORD`;
    if (!env[variable]) fail(`${variable} is not set`);
    return [service, env[variable]];
  });
}

function ensureServiceUser(admin, service, password) {
  const database = admin.getSiblingDB(service);
  const roles = [{ role: "readWrite", db: service }];
  const found = command(database, { usersInfo: service });
  if (!found.ok) fail(`usersInfo ${service}: ${found.errmsg}`);
  const exists = found.users.length > 0;
  const answer = exists
    ? command(database, { updateUser: service, pwd: password, roles: roles })
    : command(database, { createUser: service, pwd: password, roles: roles });
  if (!answer.ok) fail(`${exists ? "updateUser" : "createUser"} ${service}: ${answer.errmsg}`);
  log(`user ${service}@${service}: readWrite on ${service} (${exists ? "updated" : "created"})`);
}

const passwords = servicePasswords();
const admin = connectAsRoot();
ensureReplicaSet(admin);
waitForPrimary(admin);
for (const [service, password] of passwords) ensureServiceUser(admin, service, password);
log("done");
