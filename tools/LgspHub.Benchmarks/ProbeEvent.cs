namespace LgspHub.Benchmarks;

/// <summary>
/// Shaped like the hub's CitizenDetailsChanged, plus what the benchmark needs: its run, a sequence
/// number, the send time (<see cref="System.Diagnostics.Stopwatch"/> ticks: publisher and consumer share
/// the process) and padding that evens out the body sizes of the two clients. A type of its own, so
/// the agencies of a hub on the same broker never receive it.
/// </summary>
public sealed record ProbeEvent(
    Guid Run,
    int Sequence,
    long SentAt,
    string PersonalId,
    string FullName,
    DateOnly DateOfBirth,
    string Sex,
    string PermanentAddress,
    DateTimeOffset ChangedAt,
    string Padding)
{
    /// <summary>A made-up person, its ID built the way the register builds one (the benchmark's size, not anyone's data).</summary>
    private static readonly string ProbePersonalId = LgspHub.Contracts.PersonalId.Create("049", LgspHub.Contracts.Sex.Female, 1988, 309_340).Value;

    public static ProbeEvent Create(Guid run, int sequence, string padding) => new(
        run, sequence, System.Diagnostics.Stopwatch.GetTimestamp(),
        ProbePersonalId, "Nguyễn Thị Thu Hà", new DateOnly(1988, 3, 9), "Female",
        "Thôn 2, xã Tam Thăng, thành phố Tam Kỳ, tỉnh Quảng Nam", DateTimeOffset.UtcNow, padding);
}
