using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace LgspHub.Gateway.Access;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4) by OpenIddict: a registered consumer trades its secret for a short-lived
/// RS256 JWT. OpenIddict reads the request, answers errors as RFC 6749 §5.2 JSON, and serves the discovery document
/// (RFC 8414 / OpenID Connect discovery) and the JWKS. The consumers live in the hub's configuration, not in
/// OpenIddict's stores, so it runs in degraded mode and the secret is checked by <see cref="ClientSecretCheck"/>.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = GatewayClients.TokenPath;
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string KeysPath = "/.well-known/jwks";
    public const string Audience = "lgsp-hub";

    public static IServiceCollection AddLgspTokens(this IServiceCollection services)
    {
        services.AddSingleton<TokenSigningKey>();
        services.AddOpenIddict().AddServer(server =>
        {
            server.SetTokenEndpointUris(Path.TrimStart('/'))
                .SetConfigurationEndpointUris(DiscoveryPath.TrimStart('/'))
                .SetJsonWebKeySetEndpointUris(KeysPath.TrimStart('/'));
            server.AllowClientCredentialsFlow().EnableDegradedMode();
            // A client secret, in the form or with HTTP Basic: the hub has no client keys for private_key_jwt.
            server.Configure(options => options.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt));
            // The gateway and consumers' own services read the token: a signed JWT, not an encrypted one.
            server.DisableAccessTokenEncryption();
            // OpenIddict asks for an encryption key whatever the flows; client credentials never use it. A random AES key,
            // not AddEphemeralEncryptionKey: that generates an RSA key, which took 1 to 2 s of CPU at every start.
            server.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
            server.AddEventHandler(TokenRequestBody.Descriptor);
            server.AddEventHandler(ClientSecretCheck.Descriptor);
            server.AddEventHandler(TokenRefusal.Descriptor);
            // The hub listens on plain HTTP on its own network; TLS ends in front of it where it is deployed.
            server.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
        });
        services.AddOptions<OpenIddictServerOptions>()
            .Configure<TokenSigningKey, IOptions<LgspOptions>>((server, signing, lgsp) =>
            {
                server.Issuer = lgsp.Value.Tokens.IssuerUri;
                server.SigningCredentials.Add(new SigningCredentials(signing.Key, SecurityAlgorithms.RsaSha256));
            })
            .ValidateOnStart();   // a signing key that cannot be read stops the start, not the first token request
        return services;
    }

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Issue)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(Operation.Hub("issue-token"))
            .WithSummary("Client credentials grant: form fields grant_type=client_credentials, client_id, client_secret (or HTTP Basic)");
        // OpenIddict answers these before routing's endpoint runs; the endpoints name the operations in the records.
        app.MapGet(DiscoveryPath, () => Results.NotFound()).AllowAnonymous().ExcludeFromDescription().WithMetadata(Operation.Hub("read-discovery"));
        app.MapGet(KeysPath, () => Results.NotFound()).AllowAnonymous().ExcludeFromDescription().WithMetadata(Operation.Hub("read-signing-keys"));
        return app;
    }

    /// <summary>Reached only once OpenIddict has read the request and <see cref="ClientSecretCheck"/> has accepted its secret.</summary>
    private static IResult Issue(HttpContext context, IOptionsMonitor<LgspOptions> options)
    {
        var clientId = context.GetOpenIddictServerRequest()?.ClientId
            ?? throw new InvalidOperationException("The token endpoint was reached without an OpenIddict request.");
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId);
        var principal = new ClaimsPrincipal(identity);
        principal.SetResources(Audience);
        principal.SetAccessTokenLifetime(options.CurrentValue.Tokens.Lifetime);
        principal.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}

/// <summary>
/// Reads the token request's form before OpenIddict does, so a body that cannot be read as one (too many fields, a
/// value past the form limits, a body past the request limit) is an invalid_request, not an unhandled exception.
/// </summary>
public sealed class TokenRequestBody : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
        .UseSingletonHandler<TokenRequestBody>()
        .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext>.Descriptor.Order - 500)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        var request = context.Transaction.GetHttpRequest()!;
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
            return;   // OpenIddict refuses these itself
        try
        {
            await request.ReadFormAsync(context.CancellationToken);   // kept on the request: OpenIddict's read then finds it
        }
        catch (BadHttpRequestException e)
        {
            context.Transaction.Properties[TokenRefusal.StatusProperty] = e.StatusCode;
            context.Reject(Errors.InvalidRequest, "The body could not be read: " + e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            context.Reject(Errors.InvalidRequest, "The body is not a well-formed form.");
        }
    }
}

/// <summary>
/// Checks the client's secret through <see cref="ClientSecretChecks"/> (bounded PBKDF2, lockouts). A wrong one is
/// invalid_client; a refusal before any check (locked out, busy) is temporarily_unavailable, answered as 429 or 503
/// with Retry-After by <see cref="TokenRefusal"/>.
/// </summary>
public sealed class ClientSecretCheck(ClientSecretChecks secrets) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
        .UseSingletonHandler<ClientSecretCheck>()
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()!.HttpContext;
        if (context.ClientId is not { Length: > 0 } clientId || context.ClientSecret is not { Length: > 0 } secret)
        {
            Invalid(context);
            return;
        }
        var check = await secrets.CheckAsync(clientId, secret, http.Connection.RemoteIpAddress, http.RequestAborted);
        switch (check.Outcome)
        {
            case SecretCheckOutcome.Failed:
                Invalid(context);
                break;
            case SecretCheckOutcome.LockedOut:
                Later(context, check, StatusCodes.Status429TooManyRequests, "Too many attempts for this client id; retry after {0} s.");
                break;
            case SecretCheckOutcome.NetworkBusy:
                Later(context, check, StatusCodes.Status429TooManyRequests, "Too many token requests from this network at once; retry after {0} s.");
                break;
            case SecretCheckOutcome.Busy:
                Later(context, check, StatusCodes.Status503ServiceUnavailable, "The token endpoint is busy; retry after {0} s.");
                break;
        }
    }

    private static void Invalid(ValidateTokenRequestContext context) =>
        context.Reject(Errors.InvalidClient, "The client credentials are not valid.");

    private static void Later(ValidateTokenRequestContext context, SecretCheck check, int status, string detail)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(check.RetryAfter.TotalSeconds));
        context.Transaction.Properties[TokenRefusal.StatusProperty] = status;
        context.Transaction.Properties[TokenRefusal.RetryAfterProperty] = seconds;
        context.Reject(Errors.TemporarilyUnavailable, string.Format(CultureInfo.InvariantCulture, detail, seconds));
    }
}

/// <summary>
/// Shapes the token endpoint's refusals where the hub differs from OpenIddict's defaults: a lockout or a busy
/// gateway is 429 or 503 with Retry-After and a body past the limit 413 (OpenIddict answers 400), and a client that sent its secret in the form
/// is not challenged with WWW-Authenticate: Basic, or a browser prompts for a user name (the /ops page signs in
/// with a form). RFC 6749 §5.2 asks for the challenge only when the client authenticated with the header.
/// </summary>
public sealed class TokenRefusal : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    /// <summary>Set by the handlers before: the status to answer with, and the seconds to wait before a retry.</summary>
    public const string StatusProperty = "lgsp:status";
    public const string RetryAfterProperty = "lgsp:retry-after";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
        .UseSingletonHandler<TokenRefusal>()
        .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachWwwAuthenticateHeader<ApplyTokenResponseContext>.Descriptor.Order + 500)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        var http = context.Transaction.GetHttpRequest()!.HttpContext;
        if (context.Transaction.Properties.TryGetValue(TokenRefusal.StatusProperty, out var status))
            http.Response.StatusCode = (int)status!;
        if (context.Transaction.Properties.TryGetValue(TokenRefusal.RetryAfterProperty, out var seconds))
            http.Response.Headers.RetryAfter = ((long)seconds!).ToString(CultureInfo.InvariantCulture);
        if (!http.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            http.Response.Headers.Remove(HeaderNames.WWWAuthenticate);
        return ValueTask.CompletedTask;
    }
}
