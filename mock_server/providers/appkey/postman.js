// The x-app-key API: its conventions on every request (appkey.txt), and the token chain.
//   x-app-key       the app's public key
//   x-request-id    unique per request (a reused one is 409): a fresh UUID each time
//   x-language      id (the documented default) or en
//   Authorization   Bearer <the token this operation takes>:
//     POST /api/v1/auth/login          the app's private key
//     POST /api/v1/auth/access-token   the refresh token
//     POST /api/v1/auth/refresh-token  the x-user-token
//     everything else                  the access token, plus x-user-token on /api/v1/users/...
//                                      and logout
// Before a request that needs a token, the script walks the chain: the access token it keeps
// while it lives; else a new access token for the refresh token (POST /api/v1/auth/access-token);
// else a login of the demo user with the app's private key as bearer, which hands out all three.
// It keeps them in the environment with their expiry; the Login, New Access Token and New
// Refresh Token requests keep what they are given too, and Logout forgets them.
const API = "/api/v1";
const path = pm.variables.replaceIn(pm.request.url.getPath());

function conventions(bearer) {
  return {
    "x-app-key": pm.variables.get("app_key"),
    "x-request-id": pm.variables.replaceIn("{{$guid}}"),
    "x-language": pm.variables.get("language") || "id",
    "Authorization": "Bearer " + bearer,
  };
}

function apply(headers) {
  Object.keys(headers).forEach(function (name) {
    pm.request.headers.upsert({ key: name, value: headers[name] });
  });
}

// Kept with when each expires (this machine's clock; the lifetimes are in every answer).
function keep(data, kind) {
  pm.environment.set(kind, data[kind]);
  if (data[kind + "_expires_in"] !== undefined) {
    pm.environment.set(kind + "_expires_at", String(Date.now() + Number(data[kind + "_expires_in"]) * 1000));
  }
}

function live(kind) {
  const expiresAt = Number(pm.environment.get(kind + "_expires_at") || 0);
  return Boolean(pm.environment.get(kind)) && expiresAt > Date.now() + 30000;
}

function authCall(operation, bearer, body, then) {
  const request = {
    url: pm.variables.get("base_url") + API + "/auth/" + operation,
    method: "POST",
    header: Object.assign({ "Content-Type": "application/json" }, conventions(bearer)),
  };
  if (body) request.body = { mode: "raw", raw: JSON.stringify(body) };
  pm.sendRequest(request, function (err, res) {
    if (err) throw err;
    if (res.code !== 200) throw new Error(operation + " answered " + res.code + ": " + res.text());
    then(res.json().data);
  });
}

// The chain: a live access token as it is; else a new one for the refresh token; else a login.
function withTokens(then) {
  if (live("access_token") && pm.environment.get("user_token")) {
    then();
  } else if (live("refresh_token") && pm.environment.get("user_token")) {
    authCall("access-token", pm.environment.get("refresh_token"), null, function (data) {
      keep(data, "access_token");
      then();
    });
  } else {
    const credentials = { username: pm.variables.get("username"), password: pm.variables.get("password") };
    authCall("login", pm.variables.get("private_key"), credentials, function (data) {
      ["access_token", "refresh_token", "user_token"].forEach(function (kind) { keep(data, kind); });
      then();
    });
  }
}

if (path === API + "/auth/login") {
  apply(conventions(pm.variables.get("private_key")));
} else {
  withTokens(function () {
    if (path === API + "/auth/access-token") {
      apply(conventions(pm.environment.get("refresh_token")));
    } else if (path === API + "/auth/refresh-token") {
      apply(conventions(pm.environment.get("user_token")));
    } else {
      const headers = conventions(pm.environment.get("access_token"));
      if (path.indexOf(API + "/users/") === 0 || path === API + "/auth/logout") {
        headers["x-user-token"] = pm.environment.get("user_token");
      }
      apply(headers);
    }
  });
}
