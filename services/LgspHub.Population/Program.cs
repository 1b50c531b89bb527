using LgspHub.Population;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgencyDatabase<PopulationDb>(PopulationApi.Agency);
builder.AddMessaging(PopulationApi.Agency);
builder.AddAgencyOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<PopulationDb, Citizen>(PopulationDb.Seed);
app.MapDefaultEndpoints();
app.MapPopulationApi();
app.Run();
