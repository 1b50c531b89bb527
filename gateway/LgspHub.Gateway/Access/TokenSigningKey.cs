using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LgspHub.Gateway.Access;

/// <summary>
/// The RSA key the hub signs consumer tokens with (RS256). Its public half is published at the JWKS endpoint, so a
/// client or another service checks tokens without sharing a secret; gateways that share it accept each other's tokens.
/// </summary>
public sealed class TokenSigningKey
{
    public const int MinimumBits = 2048;

    public TokenSigningKey(IOptions<LgspOptions> options, ILogger<TokenSigningKey> logger)
    {
        var configured = options.Value.Tokens.SigningKey;
        var rsa = RSA.Create(MinimumBits);
        if (string.IsNullOrWhiteSpace(configured))
            logger.LogWarning("Lgsp:Tokens:SigningKey is not set: tokens are signed with a random key and end when the gateway stops");
        else
            Import(rsa, configured);
        // The key's RFC 7638 thumbprint as its id: the same key gives the same kid on every gateway that holds it.
        Key = new RsaSecurityKey(rsa);
        Key.KeyId = Base64UrlEncoder.Encode(Key.ComputeJwkThumbprint());
    }

    public RsaSecurityKey Key { get; }

    /// <summary>A new key in the form Lgsp:Tokens:SigningKey takes: PKCS#8, base64 on one line.</summary>
    public static string NewKey()
    {
        using var rsa = RSA.Create(MinimumBits);
        return Convert.ToBase64String(rsa.ExportPkcs8PrivateKey());
    }

    private static void Import(RSA rsa, string configured)
    {
        try
        {
            rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(configured), out _);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new InvalidOperationException(
                "Lgsp:Tokens:SigningKey must be an RSA private key, PKCS#8 in base64 (`LgspHub.Gateway.dll new-signing-key` prints one).", e);
        }
        if (rsa.KeySize < MinimumBits)
            throw new InvalidOperationException($"Lgsp:Tokens:SigningKey holds a {rsa.KeySize}-bit key; {MinimumBits} bits or more are needed.");
    }
}
