using System.Globalization;
using LgspHub.Contracts;
using LgspHub.Seeding;

namespace LgspHub.Conform;

/// <summary>
/// The people, parcels and cards of the hub's seed that a conformance run names, regenerated from the same seed as the
/// agencies seed from (as the load tool does): requests find what the agency holds. Runs that change people (a death
/// published, a name corrected) take them from the citizens <c>From..To</c> only, at random, each person once.
/// </summary>
public sealed class ProvinceValues
{
    private readonly SyntheticProvince _province;
    private readonly Queue<SyntheticCitizen> _living;

    public ProvinceValues(int seed, int from, int to)
    {
        if (from < 0 || to <= from)
            throw new ConformException($"--citizens {from}..{to} is empty");
        _province = new SyntheticProvince(new SeedOptions { Value = seed, Citizens = to });
        var citizens = Enumerable.Range(from, to - from).Select(_province.Citizen).ToList();
        var living = citizens.Where(c => c.DateOfDeath is null).ToList();
        Reader = living.FirstOrDefault(c => c.Parcels.Count > 0 && c.Card is not null)
            ?? throw new ConformException($"no living citizen of {from}..{to} owns land and holds a card: widen --citizens");
        _living = new Queue<SyntheticCitizen>(living.Where(c => c != Reader).OrderBy(_ => Random.Shared.Next()));
    }

    /// <summary>The citizen every read names: alive, owns a parcel, holds a card. Never changed by a run.</summary>
    public SyntheticCitizen Reader { get; }

    /// <summary>A living citizen no other probe of this run has used, meeting <paramref name="condition"/>.</summary>
    public SyntheticCitizen Take(Func<SyntheticCitizen, bool> condition, string what)
    {
        for (var i = _living.Count; i > 0; i--)
        {
            var citizen = _living.Dequeue();
            if (condition(citizen))
                return citizen;
            _living.Enqueue(citizen);
        }
        throw new ConformException($"no citizen left in the --citizens range for {what}: widen it");
    }

    /// <summary>A well-formed personal ID that no seed of a real size holds (the province's last possible citizen).</summary>
    public PersonalId UnknownPersonalId => _province.Citizen(SyntheticProvince.MaxCitizens - 1).PersonalId;

    /// <summary>A fresh personal ID for a newborn: this year, a serial far above those the population agency issues.</summary>
    public static PersonalId Newborn(Sex sex, int year) => PersonalId.Create(SyntheticProvince.HubProvinceCode, sex, year, Random.Shared.Next(900_000, 1_000_000));

    /// <summary>A seeded value for a parameter the hub's APIs name, or null.</summary>
    public string? Seeded(string name)
    {
        var parcel = Reader.Parcels[0];
        return name.ToLowerInvariant() switch
        {
            "personalid" => Reader.PersonalId.Value,
            "communecode" => parcel.CommuneCode,
            "mapsheet" => parcel.MapSheet.ToString(CultureInfo.InvariantCulture),
            "parcelnumber" => parcel.ParcelNumber.ToString(CultureInfo.InvariantCulture),
            "number" => Reader.BirthRegistrationNumber,
            "cardnumber" => Reader.Card!.CardNumber,
            _ => null,
        };
    }

    /// <summary>A well-formed value that names nothing the agency holds, for the parameters that name a thing.</summary>
    public string? Unknown(string name, ApiParameter parameter) => name.ToLowerInvariant() switch
    {
        "personalid" => UnknownPersonalId.Value,
        "communecode" => Reader.Parcels[0].CommuneCode,
        "mapsheet" => "9999",
        "parcelnumber" => "99999",
        "number" => $"KS-{Reader.Commune.Code}-1900-999999",
        _ when parameter.Schema?["format"]?.GetValue<string>() == "uuid" => Guid.NewGuid().ToString(),
        _ => null,
    };

    /// <summary>A value the agency must refuse with a 400: a personal ID that is not 12 digits.</summary>
    public static string? Malformed(string name) => name.Equals("personalId", StringComparison.OrdinalIgnoreCase) ? "04918830" : null;
}
