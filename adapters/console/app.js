// motcua console: plain ES modules, no build step. It uses only the public API (/v1) and the
// session routes; the session is an HttpOnly cookie, and every state-changing request sends the
// session's CSRF token (ui.js). This module signs in and out and routes the pages.

import { receiveChoose, receiveForm } from "./counter.js";
import { admin, adminProcedure, report } from "./manage.js";
import { catalogue, lookup, procedure } from "./public.js";
import { api, closeStream, h, hasRole, problem, show, state } from "./ui.js";
import { dossierPage, queue } from "./work.js";

export { fold, officeTime } from "./ui.js";

export function signIn() {
  const principal = h("input", { id: "principal", required: true, autocomplete: "username" });
  const password = h("input", { id: "password", type: "password", required: true,
    autocomplete: "current-password" });
  const out = h("div", { "aria-live": "assertive" });
  show("Đăng nhập",
    h("form", {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          state.session = await api("POST", "/v1/session",
            { principal: principal.value.trim(), password: password.value });
          password.value = "";
          navState();
          location.hash = "#/hang-doi";
        } catch (e) {
          out.replaceChildren(problem(e.status === 401
            ? new Error("Sai tên đăng nhập hoặc mật khẩu.") : e.type === "locked-out"
              ? new Error("Tài khoản tạm khóa do nhập sai nhiều lần; thử lại sau " +
                `${Math.max(1, Math.ceil(e.retryAfter / 60))} phút.`) : e));
        }
      },
    },
    h("label", { for: "principal" }, "Tên đăng nhập"), principal,
    h("label", { for: "password" }, "Mật khẩu"), password,
    h("button", { class: "primary", type: "submit" }, "Đăng nhập")),
    out);
}

async function signOut() {
  try {
    await api("DELETE", "/v1/session");
  } catch (e) {
    // Signed out already: nothing to undo.
  }
  state.session = null;
  closeStream();
  navState();
  location.hash = "#/dang-nhap";
}

function navState() {
  const signedIn = !!state.session;
  document.getElementById("nav-queue").hidden = !signedIn;
  document.getElementById("nav-receive").hidden = !hasRole("counter", "admin");
  document.getElementById("nav-report").hidden = !signedIn;
  document.getElementById("nav-admin").hidden = !hasRole("admin");
  document.getElementById("sign-out").hidden = !signedIn;
  document.getElementById("nav-sign-in").hidden = signedIn;
  document.getElementById("who").textContent = signedIn
    ? `${state.session.name} (${state.session.roles.join(", ")})` : "";
}

function route() {
  const [path, qs] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(qs || "");
  state.route += 1;
  closeStream();
  document.querySelectorAll("dialog").forEach((d) => d.remove());
  const tail = (prefix) => decodeURIComponent(path.slice(prefix.length));
  if (path.startsWith("/thu-tuc/")) return procedure(tail("/thu-tuc/"));
  if (path === "/thu-tuc") return catalogue(params.get("q") || "");
  if (path === "/tra-cuu") return lookup();
  if (path === "/dang-nhap") return signIn();
  if (path === "/hang-doi") return queue();
  if (path.startsWith("/ho-so/")) return dossierPage(tail("/ho-so/"));
  if (path === "/tiep-nhan") return receiveChoose();
  if (path.startsWith("/tiep-nhan/")) return receiveForm(tail("/tiep-nhan/"));
  if (path === "/bao-cao") return report(params);
  if (path === "/quan-tri") return admin();
  if (path.startsWith("/quan-tri/thu-tuc/")) return adminProcedure(tail("/quan-tri/thu-tuc/"));
  return state.session ? queue() : catalogue("");
}

document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", () => Promise.resolve(route()).catch((e) => show("Lỗi", problem(e))));
api("GET", "/v1/session")
  .then((s) => { state.session = s; })
  .catch(() => { state.session = null; })
  .finally(() => { navState(); route(); });
