DIGESTGEN_SEARCH_LOADED("terms","t",{"talks":[5,1],"three":[5,1],"thursday":[5,1],"timetable":[5],"town":[3,1],"tsunami":[0,1,1],"tuesday":[0,1,1]});
