using System.Globalization;
using LgspHub.ServiceDefaults;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LgspHub.Gateway.Access;

/// <summary>The key the hub signs consumer tokens with and validates them against.</summary>
public sealed class TokenSigningKey
{
    public TokenSigningKey(IOptions<LgspOptions> options, ILogger<TokenSigningKey> logger)
    {
        var configured = options.Value.Tokens.SigningKey;
        if (string.IsNullOrWhiteSpace(configured))
            logger.LogWarning("Lgsp:Tokens:SigningKey is not set: tokens are signed with a random key and end when the gateway stops");
        var bytes = string.IsNullOrWhiteSpace(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        if (bytes.Length < 32)
            throw new InvalidOperationException("Lgsp:Tokens:SigningKey must hold at least 32 bytes (base64).");
        Key = new SymmetricSecurityKey(bytes);
    }

    public SymmetricSecurityKey Key { get; }
}

/// <summary>The token response of RFC 6749 §5.1, with its snake_case member names.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>The error body of RFC 6749 §5.2: what OAuth client libraries read, in place of a problem.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

/// <summary>An RFC 6749 §5.2 error answer: JSON, never cached, and a 401 to HTTP Basic names the scheme to authenticate with.</summary>
public sealed class OAuthErrorResult(int status, OAuthError error) : IResult, IStatusCodeHttpResult, IValueHttpResult<OAuthError>
{
    public int? StatusCode => status;

    public OAuthError Value => error;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.Headers.CacheControl = "no-store";
        // RFC 6749 §5.2 asks for the challenge when the client authenticated with a header; a form's client is not
        // challenged, or a browser would prompt for a user name and password (the /ops page signs in with a form).
        if (status == StatusCodes.Status401Unauthorized && httpContext.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"lgsp\"";
        return httpContext.Response.WriteAsJsonAsync(error, httpContext.RequestAborted);
    }
}

/// <summary>OAuth 2.0 client credentials (RFC 6749 §4.4): a registered consumer trades its secret for a short-lived JWT.</summary>
public static class TokenEndpoint
{
    public const string Path = GatewayClients.TokenPath;
    public const string Audience = "lgsp-hub";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, IssueAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(Operation.Hub("issue-token"))
            .WithSummary("Client credentials grant: form fields grant_type=client_credentials, client_id, client_secret (or HTTP Basic)");
        return app;
    }

    private static async Task<Results<Ok<TokenResponse>, OAuthErrorResult>> IssueAsync(
        HttpRequest request, IOptionsMonitor<LgspOptions> options, ClientSecretChecks secrets, TokenSigningKey signing, TimeProvider clock)
    {
        if (!request.HasFormContentType)
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "Send the grant as application/x-www-form-urlencoded.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return OAuthError(e.StatusCode, "invalid_request", "The body could not be read: " + e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A body that claims to be a form and is not (a broken multipart, too many fields): the caller's fault.
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "The body is not a well-formed form.");
        }
        if (form["grant_type"] != "client_credentials")
            return OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");

        var (clientId, secret) = Credentials(request, form);
        if (clientId is null || secret is null)
            return InvalidClient();
        var check = await secrets.CheckAsync(clientId, secret, request.HttpContext.Connection.RemoteIpAddress, request.HttpContext.RequestAborted);
        switch (check.Outcome)
        {
            case SecretCheckOutcome.Failed:
                return InvalidClient();
            case SecretCheckOutcome.LockedOut:
                return Later(request, check, StatusCodes.Status429TooManyRequests, "Too many attempts for this client id; retry after {0} s.");
            case SecretCheckOutcome.NetworkBusy:
                return Later(request, check, StatusCodes.Status429TooManyRequests, "Too many token requests from this network at once; retry after {0} s.");
            case SecretCheckOutcome.Busy:
                return Later(request, check, StatusCodes.Status503ServiceUnavailable, "The token endpoint is busy; retry after {0} s.");
        }

        var current = options.CurrentValue;

        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = current.Tokens.Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(ConsumerClaims.ClientId, clientId), new Claim("sub", clientId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + current.Tokens.Lifetime,
            SigningCredentials = new SigningCredentials(signing.Key, SecurityAlgorithms.HmacSha256),
        });
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)current.Tokens.Lifetime.TotalSeconds));
    }

    private static (string? ClientId, string? Secret) Credentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':', 2);
                if (pair.Length == 2)
                    return (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
            }
            catch (FormatException)
            {
            }
            return (null, null);
        }
        return (form["client_id"].FirstOrDefault(), form["client_secret"].FirstOrDefault());
    }

    private static OAuthErrorResult InvalidClient() =>
        OAuthError(StatusCodes.Status401Unauthorized, "invalid_client", "The client credentials are not valid.");

    /// <summary>A refusal before any secret check, with the wait in Retry-After (seconds, rounded up).</summary>
    private static OAuthErrorResult Later(HttpRequest request, SecretCheck check, int status, string detail)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(check.RetryAfter.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return OAuthError(status, "temporarily_unavailable", string.Format(CultureInfo.InvariantCulture, detail, seconds));
    }

    private static OAuthErrorResult OAuthError(int status, string error, string description) => new(status, new OAuthError(error, description));
}
