using LgspHub.Land;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgencyDatabase<LandDb>(LandApi.Agency);
builder.AddMessaging(LandApi.Agency);
builder.AddGatewayClient<PopulationClient>();
builder.AddAgencyOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<LandDb, Parcel>(LandDb.Seed);
app.MapDefaultEndpoints();
app.MapLandApi();
app.Run();
