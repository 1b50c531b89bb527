using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Authentication;
using LgspHub.Gateway.Requests;

namespace LgspHub.Gateway.Access;

/// <summary>Deny by default, X-Road style: a consumer calls an operation only if its rights name it (the policy <see cref="Operation.RightsPolicy"/>).</summary>
public sealed class OperationRightRequirement : IAuthorizationRequirement;

public sealed class OperationRightHandler(IConsumerRegistry consumers) : AuthorizationHandler<OperationRightRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRightRequirement requirement)
    {
        // Rights are read at each request, so a change to the configuration, or a revocation, applies at once, not at
        // token expiry (a revocation on another gateway instance within Lgsp:RegistrationsRefresh).
        if (context.Resource is HttpContext http
            && Operation.Of(http) is { } operation
            && context.User.ConsumerId() is { } consumerId
            && consumers.Find(consumerId) is { } consumer
            && consumer.Allows(operation.Name))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The fallback policy: an endpoint that declares no access of its own (a route added to the configuration without
/// one, should it get past <see cref="RouteDeclarations"/>) is refused to everyone. A request that matched no endpoint
/// passes, to be answered 404.
/// </summary>
public sealed class DeclaredAccessRequirement : IAuthorizationRequirement;

public sealed class DeclaredAccessHandler : AuthorizationHandler<DeclaredAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DeclaredAccessRequirement requirement)
    {
        if (context.Resource is HttpContext { } http && http.GetEndpoint() is null)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>401 and 403 as problem details that say what is missing, never what exists.</summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync();
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                $"A valid bearer token is required: request one at {TokenEndpoint.Path} with the consumer's client credentials.");
        }
        else if (authorizeResult.Forbidden)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var operation = Operation.Of(context)?.Name ?? "this operation";
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"This consumer has no right to call {operation}.");
        }
        else
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
