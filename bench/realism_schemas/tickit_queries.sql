-- Queries over TICKIT in the style of the Amazon Redshift documentation's examples (Getting Started guide, sample
-- database page, SQL reference examples), chosen for dw-sim's realism benchmark. Each starts with "-- name:".

-- name: sales_on_a_day
select sum(qtysold) from sales, date
where sales.dateid = date.dateid and caldate = '2008-01-05';

-- name: top_buyers
select firstname, lastname, total_quantity
from (select buyerid, sum(qtysold) total_quantity from sales group by buyerid order by total_quantity desc limit 10) q,
     users
where q.buyerid = userid
order by q.total_quantity desc;

-- name: top_events_by_gross
select eventname, total_price
from (select eventid, total_price, ntile(1000) over (order by total_price desc) as percentile
      from (select eventid, sum(pricepaid) total_price from sales group by eventid)) q, event e
where q.eventid = e.eventid and percentile = 1
order by total_price desc;

-- name: top_sellers_in_a_city
select sellerid, username, (firstname || ' ' || lastname) as name, city, sum(qtysold)
from sales, date, users
where sales.sellerid = users.userid and sales.dateid = date.dateid and year = 2008 and city = 'San Diego'
group by sellerid, username, name, city
order by 5 desc
limit 5;

-- name: events_per_category
select catgroup, catname, count(*) as events
from category join event on category.catid = event.catid
group by catgroup, catname
order by events desc;

-- name: gross_by_venue
select venuename, venuecity, venuestate, sum(pricepaid) as gross
from sales s join event e on s.eventid = e.eventid join venue v on e.venueid = v.venueid
group by venuename, venuecity, venuestate
order by gross desc
limit 10;

-- name: concert_events
select eventname, starttime from event
where catid in (select catid from category where catgroup = 'Concerts')
order by starttime
limit 10;

-- name: sports_and_jazz_fans
select count(*) from users where likesports and likejazz;

-- name: users_per_state
select state, count(*) from users group by state order by 2 desc limit 5;

-- name: revenue_by_month
select month, sum(pricepaid) as revenue
from sales join date on sales.dateid = date.dateid
group by month
order by revenue desc;

-- name: opera_tickets
select catname, sum(qtysold)
from sales s join event e on s.eventid = e.eventid join category c on e.catid = c.catid
where catname = 'Opera'
group by catname;

-- name: venues_in_states
select venuestate, count(*) from venue where venuestate in ('NY', 'CA', 'FL') group by venuestate;

-- name: hours_from_listing_to_sale
select avg(datediff(hour, l.listtime, s.saletime))
from sales s join listing l on s.listid = l.listid
where s.saletime >= l.listtime;

-- name: sales_after_their_event
select count(*)
from sales s join event e on s.eventid = e.eventid
where s.saletime > e.starttime;

-- name: commission_per_seller
select sellerid, sum(commission) as total_commission
from sales
group by sellerid
having sum(commission) > 0
order by total_commission desc
limit 10;

-- name: listings_per_event_last_weeks
select e.eventname, count(*) as listings
from listing l join event e on l.eventid = e.eventid
where l.listtime >= dateadd(month, -1, getdate())
group by e.eventname
order by listings desc
limit 10;

-- name: holiday_sales
select sum(pricepaid) from sales join date on sales.dateid = date.dateid where holiday;

-- name: weekend_days
select day, count(*) from date where day in ('SAT', 'SUN') group by day;
