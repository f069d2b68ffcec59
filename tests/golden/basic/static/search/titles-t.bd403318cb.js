DIGESTGEN_SEARCH_LOADED("titles","t",{"talks":[5,1],"three":[5,1],"town":[3,1],"tsunami":[0]});
