using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LgspHub.Gateway.Access;

/// <summary>A consumer system registered through the operators' API: kept after it is revoked, so its id is never given again.</summary>
public sealed class RegisteredConsumer
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required string SecretHash { get; init; }
    public List<string> Rights { get; init; } = [];
    public int RequestsPerSecond { get; init; }
    public int Burst { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>The consumer (an operator's) that registered it.</summary>
    public required string RegisteredBy { get; init; }
    /// <summary>
    /// When its registration's audit entry was committed: until then it reserves its id but gets no token (a
    /// registration the audit cannot take is deleted, one cut short by a crash stays reserved and inactive).
    /// </summary>
    public DateTimeOffset? ActiveFrom { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }

    public ConsumerSystem ToConsumerSystem() => new()
    {
        DisplayName = DisplayName, SecretHash = SecretHash, Rights = [.. Rights], RequestsPerSecond = RequestsPerSecond, Burst = Burst,
    };
}

/// <summary>The registered consumers' table in the gateway's database, which GatewayDb applies with the assembly's other configurations.</summary>
internal sealed class RegisteredConsumerConfiguration : IEntityTypeConfiguration<RegisteredConsumer>
{
    public void Configure(EntityTypeBuilder<RegisteredConsumer> consumer)
    {
        consumer.ToTable("Consumers");
        consumer.HasKey(c => c.Id);
        // Ids compare as the registry does, byte for byte ("Hospital" is not "hospital"): SQLite's default collation
        // (BINARY) does, and so does PostgreSQL's, being deterministic.
    }
}
