using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Transactions;

/// <summary>HMAC-SHA256 of a personal ID under the hub's subject key: stable, so one person's accesses can be found, and not reversible without the key.</summary>
public sealed class SubjectHasher
{
    private readonly byte[] _key;

    public SubjectHasher(IOptions<RecordOptions> options, ILogger<SubjectHasher> logger)
    {
        if (string.IsNullOrWhiteSpace(options.Value.SubjectKey))
            logger.LogWarning("Lgsp:Records:SubjectKey is not set: audit subjects are hashed with a random key and cannot be searched after a restart");
        _key = string.IsNullOrWhiteSpace(options.Value.SubjectKey) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(options.Value.SubjectKey);
    }

    public string Hash(string personalId) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(personalId.Trim())));
}
