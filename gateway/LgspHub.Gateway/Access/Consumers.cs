using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Identity;

namespace LgspHub.Gateway.Access;

/// <summary>The hub's configuration section "Lgsp": registered consumer systems and token settings. Reloaded on change.</summary>
public sealed class LgspOptions
{
    public const string Section = "Lgsp";

    public Dictionary<string, ConsumerSystem> Consumers { get; set; } = new(StringComparer.Ordinal);

    public TokenOptions Tokens { get; set; } = new();

    /// <summary>
    /// How often each gateway instance reads again the consumers registered through the operators' API: how long a
    /// change made on another instance sharing the database takes to count here (this instance's own count at once).
    /// </summary>
    public TimeSpan RegistrationsRefresh { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>A consumer system (a hospital, a commune justice office…) and what it may call.</summary>
public sealed class ConsumerSystem
{
    public string DisplayName { get; set; } = "";

    /// <summary>The client secret, hashed by ASP.NET Core Identity's PasswordHasher (PBKDF2); never the secret itself.</summary>
    public string SecretHash { get; set; } = "";

    /// <summary>
    /// Operations this consumer may call: "population.verify-identity", "civil-status.*", or "*" (every agency
    /// operation). The hub's own operations (records, audit) must be named: "lgsp.read-audit" or "lgsp.*".
    /// Anything else is denied.
    /// </summary>
    public List<string> Rights { get; set; } = [];

    public int RequestsPerSecond { get; set; } = 100;

    public int Burst { get; set; } = 200;

    public bool Allows(string operation) => Rights.Any(right =>
        right == operation
        || (right == "*" && !Operation.IsHub(operation))
        || (right.EndsWith(".*", StringComparison.Ordinal) && operation.StartsWith(right[..^1], StringComparison.Ordinal)));

    private static readonly PasswordHasher<ConsumerSystem> Hasher = new();

    public static string HashSecret(string secret) => Hasher.HashPassword(new ConsumerSystem(), secret);

    /// <summary>One PBKDF2 check: call it through <see cref="ClientSecretChecks"/>, which bounds how many run.</summary>
    public static bool SecretMatches(string secretHash, string secret) =>
        Hasher.VerifyHashedPassword(new ConsumerSystem(), secretHash, secret) != PasswordVerificationResult.Failed;
}

public sealed class TokenOptions
{
    /// <summary>The issuer (iss) of the hub's tokens and its discovery document: the gateway's URL as consumers reach it.</summary>
    public string Issuer { get; set; } = GatewayClients.DefaultGatewayUrl;

    public Uri IssuerUri => new(Issuer.EndsWith('/') ? Issuer : Issuer + "/");

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>An RSA private key, PKCS#8 in base64 (2048 bits or more). Unset: a random key per start, so tokens end with the process.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Wrong secrets in a row for one client id (registered or not) before it is locked out.</summary>
    public int FailuresBeforeLockout { get; set; } = 5;

    /// <summary>The first lockout; each failure after it doubles the next, up to <see cref="LongestLockout"/>.</summary>
    public TimeSpan FirstLockout { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan LongestLockout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Secret checks (PBKDF2) running at once in the gateway; 0: one per processor. Read at start.</summary>
    public int SecretChecksAtOnce { get; set; }

    /// <summary>Checks waiting for one of those; past them a token request is a 503. Read at start.</summary>
    public int SecretChecksQueued { get; set; } = 8;

    /// <summary>Checks at once for one caller network (an IPv4 address or an IPv6 /64), so one cannot take every processor. Read at start.</summary>
    public int SecretChecksAtOncePerNetwork { get; set; } = 1;

    /// <summary>Checks one network may have waiting; past them its token requests are a 429. Read at start.</summary>
    public int SecretChecksQueuedPerNetwork { get; set; } = 4;
}
