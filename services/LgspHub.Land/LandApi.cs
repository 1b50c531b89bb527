using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

public static class LandApi
{
    public const string Agency = "land";

    public static IEndpointRouteBuilder MapLandApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi($"/api/{Agency}/openapi/{{documentName}}.json");
        var api = app.MapGroup($"/api/{Agency}").WithTags("Land");

        api.MapGet("/parcels/{communeCode}/{mapSheet:int}/{parcelNumber:int}", GetParcel)
            .WithHubOperation("land.read-parcel", personalData: true)
            .WithSummary("Read a parcel by commune, map sheet and parcel number")
            .WithDescription("A parcel of the land register (thửa đất) by its commune code, map sheet (tờ bản đồ) and parcel number: area, land use, "
                + "certificate, owner, and whether it awaits inheritance. A parcel the register does not hold, or a sheet or number that is not an integer, is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(Parcel);
        api.MapGet("/owners/{personalId}/parcels", GetParcelsOfOwner)
            .WithHubOperation("land.parcels-of-owner", personalData: true)
            .WithSummary("List the parcels whose land-use right belongs to a citizen")
            .WithDescription("Every parcel whose land-use right the citizen with this personal ID holds, by commune, sheet and number; none is an empty list. "
                + "A personal ID that is not 12 digits is a 400.")
            .WithResponseExample(new[] { Parcel });
        api.MapTransferApi();
        return app;
    }

    /// <summary>The documents' example: a parcel of the default seed, so "try it" on the reference page finds it.</summary>
    internal static readonly ParcelResponse Parcel = new("20401", 37, 8413, 791, "LUC", "CĐ 950103", PersonalId.Create("049", Sex.Female, 1988, 309_340).Value, "Nguyễn Thị Trinh", false);

    private static async Task<Results<Ok<ParcelResponse>, ProblemHttpResult>> GetParcel(
        string communeCode, int mapSheet, int parcelNumber, LandDb db, CancellationToken cancellationToken)
    {
        var parcel = await db.Parcels.AsNoTracking().SingleOrDefaultAsync(
            p => p.CommuneCode == communeCode && p.MapSheet == mapSheet && p.ParcelNumber == parcelNumber, cancellationToken);
        return parcel is null
            ? ApiProblems.NotFound("No parcel has this commune, map sheet and parcel number.")
            : TypedResults.Ok(ParcelResponse.From(parcel));
    }

    private static async Task<Results<Ok<ParcelResponse[]>, ValidationProblem>> GetParcelsOfOwner(
        string personalId, LandDb db, CancellationToken cancellationToken)
    {
        if (!PersonalId.TryParse(personalId, out var id))
            return ApiProblems.InvalidPersonalId();
        var parcels = await db.Parcels.AsNoTracking()
            .Where(p => p.OwnerPersonalId == id)
            .OrderBy(p => p.CommuneCode).ThenBy(p => p.MapSheet).ThenBy(p => p.ParcelNumber)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(parcels.Select(ParcelResponse.From).ToArray());
    }
}

public sealed record ParcelResponse(
    string CommuneCode, int MapSheet, int ParcelNumber, int AreaSquareMetres, string LandUse,
    string CertificateNumber, string OwnerPersonalId, string OwnerName, bool AwaitingInheritance)
{
    public static ParcelResponse From(Parcel p) =>
        new(p.CommuneCode, p.MapSheet, p.ParcelNumber, p.AreaSquareMetres, p.LandUse, p.CertificateNumber, p.OwnerPersonalId.Value, p.OwnerName,
            p.InheritanceDossierId is not null);
}
