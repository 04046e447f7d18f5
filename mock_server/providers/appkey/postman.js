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
// Before a request that needs a token and has none, the script logs the demo user in (the
// private key as bearer) and keeps the three tokens in the environment; the Login, New Access
// Token and New Refresh Token requests keep what they are given too, and Logout forgets them.
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

function keepLogin(data) {
  pm.environment.set("access_token", data.access_token);
  pm.environment.set("refresh_token", data.refresh_token);
  pm.environment.set("user_token", data.user_token);
}

function withTokens(then) {
  if (pm.environment.get("access_token")) {
    then();
    return;
  }
  pm.sendRequest(
    {
      url: pm.variables.get("base_url") + API + "/auth/login",
      method: "POST",
      header: Object.assign({ "Content-Type": "application/json" }, conventions(pm.variables.get("private_key"))),
      body: {
        mode: "raw",
        raw: JSON.stringify({ username: pm.variables.get("username"), password: pm.variables.get("password") }),
      },
    },
    function (err, res) {
      if (err) throw err;
      if (res.code !== 200) throw new Error("login answered " + res.code + ": " + res.text());
      keepLogin(res.json().data);
      then();
    }
  );
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
