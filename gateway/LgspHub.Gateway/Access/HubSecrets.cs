using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;

namespace LgspHub.Gateway.Access;

/// <summary>The keys a gateway outside Development must be given: the development hub's are in appsettings.Development.json.</summary>
public static class HubSecrets
{
    public static readonly string SigningKey = $"{LgspOptions.Section}:{nameof(LgspOptions.Tokens)}:{nameof(TokenOptions.SigningKey)}";

    public static readonly string SubjectKey = $"{RecordOptions.Section}:{nameof(RecordOptions.SubjectKey)}";

    public static IHostApplicationBuilder RequireHubSecrets(this IHostApplicationBuilder builder) =>
        builder.RequireOutsideDevelopment(
            (SigningKey, "an RSA private key, PKCS#8 in base64 (new-signing-key prints one), to sign consumer tokens; without it each start signs with a new random key"),
            (SubjectKey, "base64, to key the audit's subject hashes; without it no access to a person can be found after a restart"));
}
