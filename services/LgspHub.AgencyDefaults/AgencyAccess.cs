using System.Security.Cryptography;
using System.Text;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LgspHub.AgencyDefaults;

/// <summary>
/// Who an agency answers (section "Lgsp:Access"): its API only the gateway, its /admin only the hub's operators.
/// Each is a shared secret, sent as <c>Authorization: &lt;scheme&gt; &lt;key&gt;</c> (<see cref="AgencyCredentials"/>).
/// </summary>
public sealed class AgencyAccessOptions
{
    public const string Section = "Lgsp:Access";

    /// <summary>The key the gateway adds to every request it forwards to this agency (the gateway's Lgsp:AgencyCredentials:GatewayKeys:&lt;agency&gt;).</summary>
    public string GatewayKey { get; set; } = "";

    /// <summary>The key an operator sends to /admin (the gateway's Lgsp:AgencyCredentials:OperatorKey, ./lgsp's LGSP_OPERATOR_KEY).</summary>
    public string OperatorKey { get; set; } = "";
}

/// <summary>
/// The agency's side of <see cref="AgencyCredentials"/>: every request needs the gateway's key, /admin the operators'
/// key instead; health, metrics and the OpenAPI document stay open (probes, scrapes and the catalogue read them).
/// A plain middleware rather than ASP.NET Core authentication: there is no identity to build, one key to compare, and
/// it must run before the fault injection and every endpoint, the agencies' own included.
/// </summary>
public sealed class AgencyAccess
{
    private readonly byte[] _gatewayKey;
    private readonly byte[] _operatorKey;

    public AgencyAccess(IOptions<AgencyAccessOptions> options)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Value.GatewayKey))
            missing.Add($"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.GatewayKey)} (the gateway's key for this agency; without it the agency cannot tell the gateway from any other caller)");
        if (string.IsNullOrWhiteSpace(options.Value.OperatorKey))
            missing.Add($"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.OperatorKey)} (the operators' key for /admin)");
        if (missing.Count > 0)
            throw new InvalidOperationException($"This agency refuses to start without: {string.Join("; ", missing)}. Development values are in its appsettings.Development.json.");
        _gatewayKey = Digest(options.Value.GatewayKey);
        _operatorKey = Digest(options.Value.OperatorKey);
    }

    public Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path;
        if (IsOpen(path))
            return next();
        var admin = path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);
        var (scheme, key) = admin ? (AgencyCredentials.OperatorScheme, _operatorKey) : (AgencyCredentials.GatewayScheme, _gatewayKey);
        if (Presented(http.Request, scheme) is { } presented && CryptographicOperations.FixedTimeEquals(Digest(presented), key))
            return next();

        http.Response.Headers.WWWAuthenticate = scheme;
        return TypedResults.Problem(
            admin
                ? $"The agency's /admin is for the hub's operators: send Authorization: {AgencyCredentials.OperatorScheme} <operator key>."
                : "This agency answers the gateway only: call it through the hub, as a registered consumer.",
            statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(http);
    }

    /// <summary>Probes, scrapes and the OpenAPI document (<c>/api/{agency}/openapi/...</c>), which hold no personal data.</summary>
    public static bool IsOpen(PathString path)
    {
        if (path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
            return true;
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is ["api", _, "openapi", _, ..];
    }

    private static string? Presented(HttpRequest request, string scheme)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        return header.Length > scheme.Length + 1 && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header[scheme.Length] == ' '
            ? header[(scheme.Length + 1)..].Trim()
            : null;
    }

    /// <summary>Compared as digests: equal lengths, so the comparison takes the same time whatever was sent.</summary>
    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
