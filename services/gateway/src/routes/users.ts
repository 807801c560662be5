import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { User } from "@langguard/database";
import { email, ROLES, role } from "@langguard/input-rules";
import { endSessionsOf } from "../auth/sessions.ts";
import { createUser, EmailTakenError, issuePasswordLink, passwordLinkUrl } from "../auth/users.ts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, PageQuery } from "../schemas/common.ts";

export const UserView = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  status: z.enum(["invited", "active", "disabled"]).describe("invited: no password set yet"),
  createdAt: z.date(),
  lastSignInAt: z.date().nullable(),
});

const PasswordLinkView = z.object({
  url: z.string().describe("Shown once: a one-time link to set the password (the token is after #)"),
  expiresAt: z.date(),
});

const CreateBody = z.object({ email, role }).strict();
const UpdateBody = z.object({ role, disabled: z.boolean() }).partial().strict();

function userView(user: User): z.input<typeof UserView> {
  return { ...user, status: user.disabledAt ? "disabled" : user.passwordHash ? "active" : "invited" };
}

/** The origin people reach the console at: PUBLIC_URL, else the one this request came to (its Host is an allowed one). */
export function consoleBaseUrl(request: FastifyRequest, publicUrl: string | null): string {
  return publicUrl ?? `${request.protocol}://${request.headers.host}`;
}

/** The organization's console users; admins only. An admin cannot lock the organization out of itself. */
export const userRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db } = deps;

  const findUser = async (organizationId: string, id: string) => {
    const user = await db.user.findFirst({ where: { id, organizationId } });
    if (!user) throw notFound("User", id);
    return user;
  };
  const refuseSelf = (request: FastifyRequest, id: string, what: string) => {
    if (request.principal?.userId === id) throw new HttpError(409, `You cannot ${what} yourself; ask another admin`);
  };
  const keepAnAdmin = async (user: User) => {
    if (user.role !== "admin" || user.disabledAt) return;
    const admins = await db.user.count({ where: { organizationId: user.organizationId, role: "admin", disabledAt: null } });
    if (admins <= 1) throw new HttpError(409, "This is the organization's last active admin; make another user admin first");
  };

  app.get(
    "/api/users",
    { config: { scope: "admin" }, schema: { querystring: PageQuery, response: { 200: Page(UserView), ...errorResponses } } },
    async (request) => {
      const { limit, offset } = request.query;
      const where = { organizationId: orgOf(request) };
      const [rows, total] = await Promise.all([
        db.user.findMany({ where, orderBy: [{ email: "asc" }, { id: "asc" }], take: limit, skip: offset }),
        db.user.count({ where }),
      ]);
      return page(rows.map(userView), total, limit, offset);
    },
  );

  app.post(
    "/api/users",
    {
      config: { scope: "admin" },
      schema: {
        body: CreateBody,
        response: { 201: z.object({ user: UserView, passwordLink: PasswordLinkView }), ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => {
      try {
        const { user, link } = await createUser(db, orgOf(request), request.body.email, request.body.role);
        const url = passwordLinkUrl(consoleBaseUrl(request, deps.settings.publicUrl), link.token);
        return reply.status(201).send({ user: userView(user), passwordLink: { url, expiresAt: link.expiresAt } });
      } catch (error) {
        if (error instanceof EmailTakenError) throw new HttpError(409, "A user with this e-mail address already exists", { field: "body.email" });
        throw error;
      }
    },
  );

  app.patch(
    "/api/users/:id",
    { config: { scope: "admin" }, schema: { params: IdParams, body: UpdateBody, response: { 200: UserView, ...errorResponses, 409: errorResponses[400] } } },
    async (request) => {
      const user = await findUser(orgOf(request), request.params.id);
      const { role: nextRole, disabled } = request.body;
      const demoted = nextRole !== undefined && nextRole !== user.role;
      if (demoted || disabled) {
        refuseSelf(request, user.id, disabled ? "disable" : "change the role of");
        if ((demoted && user.role === "admin") || disabled) await keepAnAdmin(user);
      }
      const updated = await db.user.update({
        where: { id: user.id },
        data: { ...(nextRole ? { role: nextRole } : {}), ...(disabled === undefined ? {} : { disabledAt: disabled ? (user.disabledAt ?? new Date()) : null }) },
      });
      if (disabled) await endSessionsOf(db, user.id);
      return userView(updated);
    },
  );

  app.delete(
    "/api/users/:id",
    { config: { scope: "admin" }, schema: { params: IdParams, response: { 204: z.null().describe("Deleted"), ...errorResponses, 409: errorResponses[400] } } },
    async (request, reply) => {
      const user = await findUser(orgOf(request), request.params.id);
      refuseSelf(request, user.id, "delete");
      await keepAnAdmin(user);
      await db.user.deleteMany({ where: { id: user.id, organizationId: user.organizationId } });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/users/:id/password-link",
    { config: { scope: "admin" }, schema: { params: IdParams, response: { 201: PasswordLinkView, ...errorResponses } } },
    async (request, reply) => {
      const user = await findUser(orgOf(request), request.params.id);
      const link = await issuePasswordLink(db, user.id, user.passwordHash ? "reset" : "invite");
      return reply.status(201).send({ url: passwordLinkUrl(consoleBaseUrl(request, deps.settings.publicUrl), link.token), expiresAt: link.expiresAt });
    },
  );
};
