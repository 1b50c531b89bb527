using System.Globalization;

namespace LgspHub.AgencyDefaults;

/// <summary>
/// Lgsp:Serials: which share of the serial numbers (personal IDs, register numbers) this instance draws. Instances
/// of an agency that share one database draw from one counter and need nothing; instances with a database each (the
/// Kubernetes StatefulSet of population) would each count from 1 and give two children one ID, so each draws only
/// its own share, set from the pod's index.
/// </summary>
public sealed class SerialOptions
{
    public const string Section = "Lgsp:Serials";

    /// <summary>How many instances with databases of their own draw serials of the same registers.</summary>
    public int Instances { get; set; } = 1;

    /// <summary>This instance's place among them, 0 to Instances - 1; required when there are several.</summary>
    public int? Instance { get; set; }

    /// <summary>The share these settings name; settings that leave it in doubt are refused, naming the setting.</summary>
    public SerialPartition Partition()
    {
        var key = Section.Replace(":", "__", StringComparison.Ordinal);
        if (Instances < 1)
            throw new InvalidOperationException($"{key}__{nameof(Instances)} is at least 1 (it is {Instances}).");
        if (Instances == 1 && Instance is not (null or 0))
            throw new InvalidOperationException($"{key}__{nameof(Instance)} is {Instance}, but {key}__{nameof(Instances)} is 1: set both, or neither.");
        if (Instances > 1 && Instance is null)
            throw new InvalidOperationException(
                $"{key}__{nameof(Instances)} is {Instances}, but {key}__{nameof(Instance)} is not set: instances with databases of their own would draw the same serials.");
        if (Instance is < 0 || Instance >= Instances)
            throw new InvalidOperationException($"{key}__{nameof(Instance)} is from 0 to {Instances - 1} (it is {Instance}).");
        return new SerialPartition { Instance = Instance ?? 0, Instances = Instances };
    }
}

/// <summary>The share of serials a database draws (one row, kept with the counters it applies to): every Instances-th number from Instance + 1.</summary>
public sealed class SerialPartition
{
    public const int TheRow = 1;

    public static SerialPartition Whole => new() { Instance = 0, Instances = 1 };

    public int Id { get; set; } = TheRow;

    public int Instance { get; set; }

    public int Instances { get; set; } = 1;

    /// <summary>The <paramref name="count"/>-th serial of this share: shares of one count never meet.</summary>
    public int Serial(int count) => checked(((count - 1) * Instances) + Instance + 1);

    public bool SameShare(SerialPartition other) => (Instance, Instances) == (other.Instance, other.Instances);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"instance {Instance} of {Instances}");
}
