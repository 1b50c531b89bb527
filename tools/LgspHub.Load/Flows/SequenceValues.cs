using System.Globalization;
using System.Text.Json;
using LgspHub.Seeding;
using static LgspHub.Load.Flows.ProvinceData;

namespace LgspHub.Load.Flows;

/// <summary>
/// The values one arrival of a sequence fills its placeholders with: people, a parcel and a card of the hub's
/// seed (each drawn once per arrival, when first used), a fresh UUID, and what earlier steps extracted.
/// </summary>
public sealed class SequenceValues(ProvinceData data)
{
    private static readonly string[] PersonFields = ["personalId", "fullName", "dateOfBirth", "sex", "communeCode", "street", "birthRegistrationNumber"];
    private static readonly Dictionary<string, Func<ProvinceData, SyntheticCitizen>> People = new(StringComparer.Ordinal)
    {
        ["citizen"] = d => Pick(d.Citizens),
        ["adult"] = d => Pick(d.Adults),
        ["mother"] = d => Pick(d.Mothers),
        ["elderly"] = d => Pick(d.Elderly),
        ["cardHolder"] = d => Pick(d.CardHolders),
    };

    /// <summary>Every built-in placeholder: "citizen.personalId", "parcel.mapSheet", "owner.fullName" (the parcel's owner), "uuid", ...</summary>
    public static IReadOnlySet<string> BuiltInNames { get; } = People.Keys.Append("owner")
        .SelectMany(person => PersonFields.Select(field => $"{person}.{field}"))
        .Concat(["cardHolder.cardNumber", "cardHolder.facility", "parcel.communeCode", "parcel.mapSheet", "parcel.parcelNumber", "uuid"])
        .ToHashSet(StringComparer.Ordinal);

    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SyntheticCitizen> _people = new(StringComparer.Ordinal);
    private (SyntheticCitizen Owner, SyntheticParcel Parcel)? _parcel;

    public void Set(string name, JsonElement value) => _values[name] = value;

    public JsonElement Get(string name)
    {
        if (_values.TryGetValue(name, out var value))
            return value;
        value = JsonSerializer.SerializeToElement(BuiltIn(name));
        _values[name] = value;
        return value;
    }

    /// <summary>The value as text in a path or header: a string as it is, anything else as its JSON.</summary>
    public string Text(string name) => Get(name) is { ValueKind: JsonValueKind.String } s ? s.GetString()! : Get(name).GetRawText();

    private object BuiltIn(string name)
    {
        if (name == "uuid")
            return Guid.NewGuid().ToString();
        var (subject, field) = name.Split('.') is [var s, var f] ? (s, f) : throw new ArgumentException($"not a built-in value: {name}", nameof(name));
        if (subject == "parcel")
        {
            var parcel = Parcel().Parcel;
            return field switch { "communeCode" => parcel.CommuneCode, "mapSheet" => parcel.MapSheet, _ => parcel.ParcelNumber };
        }
        var person = subject == "owner" ? Parcel().Owner : Person(subject);
        return field switch
        {
            "personalId" => person.PersonalId.Value,
            "fullName" => person.FullName,
            "dateOfBirth" => person.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "sex" => person.Sex.ToString(),
            "communeCode" => person.Commune.Code,
            "street" => person.Street,
            "birthRegistrationNumber" => person.BirthRegistrationNumber,
            "cardNumber" => person.Card!.CardNumber,
            "facility" => person.Card!.PrimaryCareFacility,
            _ => throw new ArgumentException($"not a built-in value: {name}", nameof(name)),
        };
    }

    private SyntheticCitizen Person(string subject) =>
        _people.TryGetValue(subject, out var person) ? person : _people[subject] = People[subject](data);

    private (SyntheticCitizen Owner, SyntheticParcel Parcel) Parcel() => _parcel ??= Pick(data.Parcels);
}
